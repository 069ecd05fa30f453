# Trama: los textos en español (Argentina), el idioma por defecto y el de respaldo.
# Formato Fluent (https://projectfluent.org): cada mensaje `id = texto`; `{ $nombre }` es un valor
# que pone la página; `{ $n -> [one] … *[other] … }` elige la forma según el número (reglas
# plurales de CLDR). Un idioma nuevo es un archivo como este con los mismos ids.

## lang

lang-name = Español

## app

app-name = Trama
app-tagline = Cartografía social: mapear juntos para cuidar a niñas y niños

## nav

nav-skip = Saltar al contenido
nav-language = Idioma
nav-logout = Salir

## home

home-title = Mapas colectivos
home-projects = Proyectos
home-no_projects = Todavía no hay proyectos.
home-code_label = Código del taller
home-code_hint = Lo dice en voz alta quien coordina el taller, por ejemplo K7M-4QX.
home-code_submit = Entrar al taller

## join

join-title = Entrar al taller
join-pick_group = Elegí tu mesa
join-display_name = Un apodo (opcional)
join-display_name_hint = No pongas tu nombre real ni el de otras personas.
join-submit = Entrar
join-unknown_code = No hay ningún taller abierto con ese código. Revisalo con quien coordina.
join-pick_group_error = Elegí una mesa para entrar.
join-no_basis = Este taller todavía no puede recibir dibujos: quien coordina tiene que registrar antes con qué permiso se guardan (el consentimiento de ustedes o el mandato del programa). Avisale y volvé a intentar en un rato.
join-consent_title = Antes de entrar
join-consent_withdrawal = Si después no querés:
join-consent_accept = Leí esto y estoy de acuerdo.
join-consent_error = Para entrar, leé el texto y marcá que estás de acuerdo.

## draw

draw-title = Dibujar en el mapa
draw-legend = Símbolos
draw-pick_symbol = Elegí un símbolo y después dibujalo en el mapa.
draw-point = Tocá el mapa donde está.
draw-line = Tocá el mapa punto por punto; tocá el último punto otra vez para terminar.
draw-polygon = Tocá el mapa punto por punto; tocá el primer punto para cerrar la zona.
draw-form_title = Título
draw-form_description = Descripción (opcional)
draw-names_warning = Nunca escribas nombres de personas: ni de vecinos, ni de chicos, ni de empleadores.
draw-sensitive_words_warning = Este símbolo es sensible: no escribas direcciones, calles, números, comercios ni nombres de lugares, ni de personas. Las otras mesas lo verán solo como una zona aproximada, sin lo que escribas.
draw-save = Guardar
draw-cancel = Cancelar
draw-saved = Guardado.
draw-pending = 
    { $count ->
        [one] Sin conexión: { $count } dibujo espera para enviarse. No cierres la página.
       *[other] Sin conexión: { $count } dibujos esperan para enviarse. No cierres la página.
    }
draw-sent = Se enviaron los dibujos pendientes.
draw-failed = No se pudo guardar: { $detail }
draw-slow_down = Vas muy rápido: tus dibujos esperan un momento y se envían solos.
draw-refused-too_fast = Muchos comentarios seguidos: esperá un minuto y volvé a enviarlo.
draw-refused-session = Tu sesión del taller terminó: volvé a entrar con el código del taller.
draw-refused-forbidden = No tenés permiso para hacer esto.
draw-refused-closed = El taller ya se cerró: no se pueden agregar dibujos nuevos.
draw-refused-unchangeable = Este dibujo ya no se puede cambiar: se borró o el taller se cerró.
draw-refused-too_big = El dibujo es demasiado grande para guardarlo: probá con menos puntos.
draw-refused-shape = La forma no es válida (por ejemplo, sus bordes se cruzan): dibujala de nuevo.
draw-queued = Esperando para enviarse.
draw-not_saved = Este dibujo no se guardó.
draw-retry = Volver a intentar
draw-discard = Descartar
draw-discard_confirm = ¿Descartar este dibujo? No se podrá recuperar.
draw-discarded = Dibujo descartado.
draw-unsaved = 
    { $count ->
        [one] { $count } dibujo no se guardó: tocá el dibujo punteado para ver por qué.
       *[other] { $count } dibujos no se guardaron: tocá los dibujos punteados para ver por qué.
    }
draw-kind-risk = Problemas y riesgos
draw-kind-resource = Recursos
draw-kind-actor = Actores
draw-kind-relation = Relaciones y recorridos
draw-kind-other = Otros
draw-group = Mesa
draw-leave = Salir del taller
draw-comments = Comentarios
draw-comment_add = Comentar
draw-comment_label = Tu comentario
draw-delete = Borrar mi dibujo
draw-deleted = Borrado.
draw-edit = Editar mi dibujo
draw-edit_hint = Mové los puntos en el mapa y cambiá el texto; después guardá.
draw-updated = Cambios guardados.
draw-conflict = Alguien cambió este dibujo mientras tanto; se volvió a cargar.
draw-refused-comment = Solo se puede comentar en los dibujos de tu taller, mientras el taller está abierto.
draw-comment_offline = Sin conexión: el comentario no se envió. Volvé a intentar cuando haya señal.
draw-edit_offline = Sin conexión: el cambio no se guardó. Volvé a intentar cuando haya señal.
draw-delete_offline = Sin conexión: el dibujo no se borró. Volvé a intentar cuando haya señal.
draw-workshop_closed = El taller se cerró: ya no se pueden enviar dibujos. Lo que dibujaste quedó guardado en este teléfono.
draw-workshop_reopened = El taller se abrió de nuevo: ya podés seguir dibujando.
draw-undo_point = Deshacer punto
draw-finish = Terminar
draw-form_symbol = Nombrá lo que dibujaste: { $symbol }
draw-shape-point = Punto
draw-shape-line = Línea
draw-shape-polygon = Zona
draw-outside_area = Lo que dibujaste queda fuera de la zona del proyecto. ¿Lo guardamos igual?
draw-comment_someone = alguien del taller
draw-search_legend = Buscar en la leyenda
draw-search_none = Ningún símbolo se llama así.
draw-only_my_table = Solo lo de mi mesa
draw-withdraw_title = Si no querés que quede lo que dibujaste
draw-withdraw_hint = Pedile a quien coordina que lo borre, con este código:
draw-cancelled = Forma cancelada.
draw-deleted_undo = Dibujo borrado.
draw-undo = Deshacer

## error

error-title = Algo salió mal
error-back = Volver al inicio
error-not_found = No encontramos esa página.
error-session = Tu sesión terminó. Volvé a entrar con el código del taller.
error-forbidden = No podés hacer eso.
error-refused = No se pudo hacer lo que pediste. Volvé atrás, revisá los datos y probá de nuevo.
error-detail = Detalle
error-go_back = Volver a la página para cambiar lo que pediste

## login

login-title = Ingresar
login-username = Usuario
login-password = Contraseña
login-submit = Ingresar
login-failed = Usuario o contraseña incorrectos, o demasiados intentos. Probá de nuevo en unos minutos.

## workshops

workshops-title = Talleres
workshops-none = No tenés talleres a cargo.
workshops-open = abierto
workshops-closed = cerrado
workshops-wall = Mapa en la pared
workshops-review = Revisar el proyecto
workshops-new = Nuevo taller
workshops-project = Proyecto
workshops-title_field = Título
workshops-place = Lugar
workshops-groups = Mesas (una por línea)
workshops-close = Cerrar el taller
workshops-export = Exportar datos
workshops-close_confirm = ¿Cerrar el taller? Las personas ya no podrán entrar ni enviar dibujos, y sus teléfonos lo van a decir. Lo dibujado queda guardado, y podés reabrirlo después.
workshops-reopen = Reabrir el taller
workshops-large_room = Una sala grande
workshops-joins = Teléfonos que pueden entrar por minuto (vacío: el límite del servidor)
workshops-tally = 
    { $tables ->
        [one] { $tables } mesa
       *[other] { $tables } mesas
    } · { $participants ->
        [one] { $participants } participante
       *[other] { $participants } participantes
    } · { $drawings ->
        [one] { $drawings } dibujo
       *[other] { $drawings } dibujos
    }
workshops-care = Base legal, consentimiento y retiro
workshops-basis-none = Sin base legal: este taller no recibe dibujos hasta que se la indiques.
workshops-basis-consent_participant = Base legal: consentimiento de cada participante al entrar (texto versión { $version }).
workshops-basis-consent_facilitator = Base legal: consentimiento de cada mesa, registrado por quien coordina (texto versión { $version }).
workshops-basis-public_interest = Base legal: mandato de interés público del programa (versión { $version }).
workshops-basis_kind = ¿Sobre qué base se guardan los dibujos?
workshops-basis_consent = El consentimiento de quienes dibujan
workshops-basis_public_interest = El mandato de interés público del programa (cuando el consentimiento no puede ser libre)
workshops-given_by = ¿Quién da el consentimiento?
workshops-given_participant = Cada participante, en su teléfono, antes de dibujar
workshops-given_facilitator = Cada mesa en voz alta; quien coordina lo registra
workshops-text_es = Texto que se lee (castellano): qué se guarda, para qué y por cuánto tiempo
workshops-withdrawal_es = Cómo retirarse (castellano)
workshops-text_en = Texto que se lee (inglés)
workshops-withdrawal_en = Cómo retirarse (inglés)
workshops-mandate = Mandato: la ley o el programa que encarga este trabajo
workshops-uses = Además del análisis de la comisión, cubre:
workshops-use_research = Exportaciones anonimizadas para investigación
workshops-use_publication = Publicación de resultados agregados
workshops-basis_fixed = Cuando alguien ya aceptó un texto, ese texto queda fijo: para cambiarlo, abrí otro taller.
workshops-table_consent = La mesa «{ $table }» aceptó en voz alta
workshops-table_note = Cómo fue: quién lo leyó, en qué idioma, si alguien no estuvo de acuerdo
workshops-record = Registrar
workshops-withdraw_title = Retirar un consentimiento
workshops-withdraw_hint = Se borra enseguida y para siempre todo lo que dibujó y escribió esa mesa o esa persona, en todas las páginas, exportaciones y análisis.
workshops-withdraw_table = Una mesa
workshops-withdraw_participant = O una persona (el código que muestra su teléfono en «Si no querés que quede lo que dibujaste»)
workshops-withdraw_confirm = ¿Borrar para siempre todo lo que hizo? No se puede deshacer.
workshops-withdraw = Retirar y borrar

## wall

wall-code = Código para entrar
wall-scan = Escaneá para entrar
wall-groups = Mesas
wall-live = En vivo
wall-offline = Reconectando…
wall-unreachable = Los teléfonos no pueden entrar: Trama solo atiende a esta computadora. Iniciala con --listen 0.0.0.0:{ $port } para que la red del taller llegue.
wall-closed = El taller está cerrado: ya no se puede entrar ni dibujar.
wall-closed_status = Taller cerrado
wall-sensitive_masked = Los lugares sensibles se muestran como zonas aproximadas, igual que en los teléfonos.
wall-sensitive_exact = Atención: los lugares sensibles se muestran en su lugar exacto (sesión cerrada).
wall-sensitive_show_exact = Mostrarlos exactos (solo en una sesión cerrada)
wall-sensitive_mask_them = Volver a mostrarlos como zonas
wall-sensitive_exact_confirm = ¿Mostrar los lugares sensibles en su lugar exacto? Todas las personas que vean esta pantalla los verán, con sus títulos. Hacelo solo en una sesión cerrada, sin participantes en la sala.
wall-sensitive_exact_banner = Lugares sensibles en su lugar exacto
wall-latest = Últimos dibujos
wall-fit = Ver todos los dibujos
wall-symbols = Símbolos en el mapa
wall-tls_hint = Tabletas del programa: confiar en esta computadora una vez en

## review

review-title = Revisión
review-workshop = Taller
review-symbol = Símbolo
review-state = Estado
review-since = Desde
review-until = Hasta
review-all = Todos
review-apply = Filtrar
review-count = 
    { $count ->
        [one] { $count } elemento
       *[other] { $count } elementos
    }
review-count_truncated = 
    { $count ->
        [one] { $count } elemento: el primero.
       *[other] { $count } elementos: los primeros.
    } «Cargar más» trae los siguientes; también podés filtrar por taller, símbolo o fechas.
review-more = Cargar más
review-accept = Aceptar
review-reject = Rechazar
review-reject_reason = ¿Por qué se rechaza?
review-hide = Ocultar
review-unhide = Mostrar
review-history = Historial
review-title_col = Título
review-date_col = Fecha
review-hidden = oculto
review-heat = Mancha de calor de riesgos
review-deleted = Ver borrados
review-restore = Restaurar
review-annotate = Anotar
review-annotation_prompt = Anotación (sin nombres de personas)
review-deleted_mark = borrado
review-group = Mesa
review-answer = Respuesta
review-done = Listo.
review-annotated = Anotación guardada.
review-reason = motivo: { $reason }
review-where_col = Taller · mesa
review-author_col = Autor/a
review-tab_drawings = Dibujos
review-actions_col = Acciones
review-bulk = Decidir sobre varios dibujos
review-bulk_reason = Motivo del rechazo
review-bulk_reason_needed = Escribí el motivo del rechazo: queda en cada dibujo rechazado.
review-select_page = Elegir los dibujos de esta página
review-pages = Páginas de la tabla
review-prev = ‹ Anteriores
review-next = Siguientes ›
review-page_of = { $from }–{ $to } de { $count }
review-choose = Elegir «{ $title }»
review-chosen = 
    { $count ->
        [one] { $count } elegido
       *[other] { $count } elegidos
    }
review-choose_all = 
    { $count ->
        [one] Elegir { $count }
       *[other] Elegir los { $count }
    }
review-choose_none = No elegir ninguno
review-bulk_done = 
    { $count ->
        [one] Listo: { $count } dibujo.
       *[other] Listo: { $count } dibujos.
    }
review-bulk_unchanged = 
    { $count ->
        [one] { $count } ya estaba así.
       *[other] { $count } ya estaban así.
    }
review-bulk_refused = 
    { $count ->
        [one] { $count } dibujo quedó como estaba.
       *[other] { $count } dibujos quedaron como estaban.
    } { $why }

## state

state-submitted = enviado
state-accepted = aceptado
state-rejected = rechazado
state-merged = fusionado

## admin

admin-title = Administración
admin-projects = Proyectos
admin-new_project = Nuevo proyecto
admin-slug = Identificador (en la dirección)
admin-name = Nombre
admin-description = Descripción
admin-locale = Idioma por defecto
admin-create = Crear
admin-users = Usuarios
admin-new_user = Nuevo usuario
admin-role = Rol
admin-password = Contraseña (10 caracteres o más)
admin-legend = Editar la leyenda
admin-privacy = Privacidad de los lugares sensibles
admin-sensitive_exact = Quién ve los dibujos sensibles en su lugar exacto (además de analistas, administración y quien lo dibujó)
admin-sensitive_exact-analysts = Nadie más: mesas, facilitación y pantalla ven la zona
admin-sensitive_exact-workshop = También su taller (sesión cerrada)
admin-masking_hint = Enmascarado mínimo de las exportaciones para investigación: pueden pedir más, nunca menos.
admin-import_max_items = Máximo de elementos de un archivo importado
admin-import_max_items_hint = Vacío: lo que usa el servidor (5.000). Un archivo con más se rechaza, diciéndolo; como mucho 50.000.
admin-photo_max_mb = Foto más grande (MB; vacío: 8)
admin-voice_note_max_seconds = Nota de voz más larga (segundos; vacío: 60)
admin-mask_resolution = Tamaño de la zona (H3: menos es más grande)
admin-saved = Guardado.
admin-pictograms = Pictogramas
admin-upload = Subir pictograma
admin-pictogram_name = Nombre (a-z, 0-9, guiones)
admin-pictogram_file = Archivo SVG
admin-disabled = Deshabilitado
admin-save = Guardar
admin-not_saved = No se guardó.
admin-taken-new-project = Ya hay un proyecto con ese identificador: elegí otro.
admin-taken-new-user = Ya hay un usuario con ese nombre: elegí otro.
admin-invalid-slug = de 2 a 64 caracteres: a-z, 0-9 y '-', empezando por una letra
admin-invalid-name = hace falta un nombre, de hasta 200 caracteres
admin-invalid-default_locale = un idioma como es-AR o en
admin-invalid-username = de 3 a 40 caracteres: letras, números, '.', '_' o '-'
admin-invalid-password = al menos 10 caracteres
admin-invalid-title = hace falta un título, de hasta 200 caracteres
admin-invalid-groups = de 1 a 50 mesas, cada una con su nombre y sin repetir
admin-basemaps = Mapas de fondo
admin-basemaps_hint = Para que el mapa se vea sin internet en el taller. Un archivo MBTiles o PMTiles (de QGIS, de una extracción de Protomaps o descargado acá abajo) queda guardado en el servidor y las páginas del proyecto lo ofrecen.
admin-basemap_none = Este proyecto todavía no tiene mapas de fondo.
admin-basemap_server = del servidor, para todos los proyectos
admin-basemap_describe = { $file } { $format }, zoom { $min } a { $max }
admin-basemap_remove = Quitar
admin-basemap_remove_confirm = ¿Quitar este mapa de fondo? Se borra el archivo del servidor.
admin-basemap_upload = Subir un archivo
admin-basemap_label = Nombre que ven las personas (por ejemplo, Calles)
admin-basemap_file = Archivo .mbtiles o .pmtiles
admin-basemap_upload_button = Subir
admin-basemap_uploading = Subiendo… { $percent } %
admin-basemap_checking = Revisando el archivo…
admin-basemap_added = Listo: el mapa de fondo ya se ofrece en las páginas del proyecto.
admin-fetch = Descargar el área del proyecto (con internet)
admin-fetch_hint = Descarga las teselas del área del proyecto desde un servicio de mapas cuyas condiciones lo permitan (los servidores de OpenStreetMap no lo permiten). Va despacio, de a una tesela, para respetar al servicio.
admin-fetch_url = Dirección del servicio, con { "{z}" }, { "{x}" } e { "{y}" }
admin-fetch_contact = Tu correo o sitio, para que el servicio sepa quién descarga
admin-fetch_attribution = Atribución que pide el servicio
admin-fetch_min_zoom = Zoom más lejano
admin-fetch_max_zoom = Zoom más cercano (17 ya muestra cada cuadra)
admin-fetch_estimate = Calcular cuánto es
admin-fetch_estimated = 
    { $tiles ->
        [one] { $tiles } tesela
       *[other] { $tiles } teselas
    }, unos { $mb } MB, { $minutes ->
        [one] un minuto.
       *[other] unos { $minutes } minutos.
    }
admin-fetch_start = Descargar
admin-fetch_stop = Detener
admin-fetch_progress = Descargando: { $done } de { $total } teselas ({ $mb } MB).
admin-fetch_done = Descarga terminada: el mapa de fondo ya se ofrece en las páginas del proyecto.
admin-fetch_failed = La descarga se detuvo: { $error }
admin-new_password = Nueva contraseña (solo para cambiarla)
admin-invalid-text_es = escribí el texto (hasta 8.000 caracteres)
admin-invalid-withdrawal_es = escribí cómo retirarse (hasta 8.000 caracteres)
admin-invalid-text_en = escribí el texto (hasta 8.000 caracteres)
admin-invalid-withdrawal_en = escribí cómo retirarse (hasta 8.000 caracteres)
admin-invalid-texts = escribí el texto y cómo retirarse en al menos un idioma
admin-invalid-mandate = escribí el mandato (hasta 8.000 caracteres)
admin-retention_months = Meses que se guardan los dibujos después de cada taller (vacío: hasta que se borren)
admin-retention_then = Al terminar
admin-retention_then_delete = Borrar los dibujos
admin-retention_then_keep_counts = Conservar solo los conteos
admin-retention_hint = Pasado ese tiempo, los dibujos, comentarios y participantes del taller se borran del todo (cada día, y con «trama purge»). Conservar los conteos guarda cuántos dibujos de cada símbolo cayeron en cada zona, sin los conteos chicos, para las exportaciones agregadas y las zonas prioritarias; nada más.
admin-invalid-retention_months = entre 1 y 120 meses, o vacío
admin-basemap_warning_unknown_schema = Sus capas vectoriales no siguen el esquema OpenMapTiles ni el de Protomaps: el mapa va a quedar en blanco. Hacelo con tilemaker o Planetiler (OpenMapTiles), o usá un recorte de Protomaps.
admin-basemap_warning_outside_area = No cubre toda el área del proyecto: partes del mapa van a quedar en blanco.
admin-basemap_warning_starts_deep = Su zoom más bajo es { $min }: los mapas se abren a ese zoom, unas pocas cuadras, en vez de todo el distrito.
admin-basemap_warning_shallow = Su zoom más profundo es { $max }: las calles y sus nombres necesitan 14 o más.

## legend

legend-title = Leyenda
legend-key = Clave
legend-label_es = Nombre (es)
legend-label_en = Nombre (en)
legend-kind = Tipo
legend-geometry = Se dibuja como
legend-color = Color
legend-icon = Pictograma
legend-weight = Peso
legend-sensitive = Sensible
legend-add = Agregar símbolo
legend-remove = Quitar
legend-save = Guardar la leyenda
legend-not_saved = No se guardó la leyenda.
legend-row = Símbolo { $row }
legend-invalid-key = la clave es obligatoria y única, de 1 a 64 caracteres: a-z, 0-9, '_' o '-'
legend-invalid-labels = hace falta al menos un nombre, de 1 a 100 caracteres
legend-invalid-geometry_types = elegí al menos una forma: punto, línea o zona
legend-invalid-color = el color debe ser #rrggbb
legend-invalid-icon = el pictograma debe ser uno de la lista
legend-invalid-weight = el peso debe estar entre -100 y 100

## geometry

geometry-point = punto
geometry-line = línea
geometry-polygon = zona

## priority

priority-title = Áreas prioritarias
priority-rule = Regla
priority-rule_gi = Puntos calientes (Gi*)
priority-rule_consensus = Consenso entre mesas
priority-rule_top = Celdas con mayor puntaje
priority-confidence = Confianza
priority-k = Mesas que coinciden (k)
priority-percent = Porcentaje de celdas
priority-resolution = Tamaño de celda
priority-weight_by = Peso de cada dibujo
priority-weight_symbol = el de su símbolo
priority-weight_answer = el de su símbolo × «{ $question }»
priority-compute = Calcular prioridades
priority-computing = Calculando…
priority-coarsened = Demasiadas celdas con el tamaño elegido: se calculó con celdas de { $size }.
priority-result = 
    { $cells ->
        [one] { $cells } celda
       *[other] { $cells } celdas
    }, { $zones ->
        [one] { $zones } zona
       *[other] { $zones } zonas
    }
priority-layer_cells = Puntaje por celda
priority-layer_hot = Puntos calientes
priority-layer_zones = Zonas calculadas
priority-layer_saved = Zonas prioritarias guardadas
priority-score = Puntaje
priority-groups = Mesas
priority-workshops = Talleres
priority-features = Dibujos
priority-area = Superficie
priority-hot = Punto caliente al { $confidence } %
priority-cold = Punto frío al { $confidence } %
priority-not_significant = Sin agrupamiento significativo
priority-save = Guardar como zona prioritaria
priority-save_name = Nombre de la zona prioritaria
priority-saved_zones = Zonas prioritarias
priority-none_saved = Todavía no hay zonas guardadas.
priority-status_note = ¿Por qué cambia el estado? (opcional)
priority-status-proposed = propuesta
priority-status-confirmed = confirmada
priority-status-intervention_planned = intervención planificada
priority-status-closed = cerrada
priority-units = Puntaje por unidad (barrios, radios censales)
priority-layer = Capa de límites
priority-units_compute = Calcular por unidad
priority-upload_file = Subir una capa (GeoJSON de polígonos)
priority-upload_name = Nombre de la capa
priority-upload_property = Propiedad con el nombre de cada unidad
priority-upload = Subir la capa
priority-uploaded = 
    { $count ->
        [one] Capa subida: { $count } unidad.
       *[other] Capa subida: { $count } unidades.
    }
priority-density = Puntaje por km²
priority-change = Cambio entre talleres
priority-before = Talleres anteriores
priority-after = Talleres posteriores
priority-change_compute = Comparar zonas
priority-change-new = zona nueva
priority-change-persisting = zona que persiste
priority-change-gone = zona que ya no aparece
priority-overlap = Superposición
priority-layer_units = Unidades
priority-layer_change = Cambio
priority-change_result = 
    { $zones ->
        [one] { $zones } zona comparada
       *[other] { $zones } zonas comparadas
    }
priority-notes = Notas
priority-notes_prompt = Notas de la zona (sin nombres de personas)
priority-legend_title = Qué muestra el mapa
priority-legend_score = Puntaje por celda (suma de los pesos de los símbolos dibujados; celdas de { $size })
priority-legend_score_weighed = Puntaje por celda (suma de lo que pesa cada dibujo: { $weight }; celdas de { $size })
priority-legend_density = Puntaje por km² de cada unidad
priority-legend_negative = menos de 0 (pesan más los recursos que los riesgos)
priority-legend_zero = 0
priority-legend_zone = zona calculada (sin guardar)
priority-legend_saved = zona prioritaria guardada
priority-legend_heat_low = pocos riesgos, de poco peso
priority-legend_heat_high = muchos riesgos, o de mucho peso

## export

export-title = Exportar datos
export-lead = Un archivo para QGIS, R o Python. Cada exportación queda registrada: quién, cuándo, qué y con qué nivel de privacidad.
export-format = Formato
export-privacy = Privacidad
export-privacy_anonymised = Anonimizada: sin nombres ni textos libres, puntos desplazados, lugares sensibles como celda
export-privacy_aggregated = Agregada: cantidades por celda y símbolo, sin cantidades pequeñas
export-privacy_full = Completa: todo lo guardado (solo análisis)
export-privacy_hint = La anonimizada es la predeterminada y la que corresponde a investigación. Los conteos agregados se filtran solo por taller, y las celdas prioritarias agregadas no admiten filtros: dos exportaciones con filtros distintos no deben poder restarse hasta un conteo chico oculto.
export-content = Contenido
export-content_features = Dibujos
export-content_zones = Zonas prioritarias guardadas
export-geometry = Geometría
export-geometry_all = Todos los tipos
export-geometry_points = Solo puntos (MultiPoint)
export-geometry_lines = Solo líneas (MultiLineString)
export-geometry_polygons = Solo zonas (MultiPolygon)
export-geometry_hint = Un GeoPackage trae una capa de cada tipo; un archivo FlatGeobuf tiene una sola capa: elegí un tipo para QGIS y las herramientas más estrictas.
export-files = Con sus fotos y notas de voz (un ZIP: el archivo y, al lado, los archivos de cada dibujo)
export-files_hint = Solo en exportaciones completas de dibujos: una foto muestra un lugar como un título lo nombra. attachments.csv dice de qué dibujo y de qué comentario es cada archivo; un GeoPackage ya los lleva adentro.
export-mask_min = Desplazamiento mínimo de los puntos (m)
export-mask_max = Desplazamiento máximo de los puntos (m)
export-k = Cantidad mínima por celda (agregada)
export-download = Descargar
export-content_cells = Celdas de prioridad (puntaje y Gi*; con privacidad agregada o completa)

## import

import-title = Importar un mapa (GeoJSON, KML o KMZ, GPX, CSV)
import-file = Archivo
import-field = Campo con la categoría (opcional)
import-field_hint = por defecto: symbol, categoria, la carpeta del KML, type del GPX
import-map = Categorías del archivo → símbolos (una por línea: Categoría = símbolo)
import-default_symbol = Símbolo para lo que no tenga categoría (opcional)
import-check = Revisar sin guardar
import-import = Importar
import-report = 
    { $items ->
        [one] { $items } ítem
       *[other] { $items } ítems
    } · dibujos listos para importar: { $ready } · problemas: { $problems } · avisos: { $warnings }
import-categories = Categorías encontradas
import-item = ítem { $item }
import-line = línea { $line }
import-done = 
    { $count ->
        [one] Importado { $count } dibujo.
       *[other] Importados { $count } dibujos.
    }
import-again = Este archivo ya estaba importado: no se agregó nada.
import-refused = No se importó nada:
import-problem-file = { $value }
import-problem-unknown_category = categoría desconocida «{ $value }»: asignale un símbolo de la leyenda
import-problem-missing_category = sin categoría: indicá el campo que la tiene o un símbolo por defecto
import-problem-geometry = no se puede leer la forma: { $value }
import-problem-symbol = el símbolo no sirve para esta geometría: { $value }
import-accepted_title = ¿Qué archivos se aceptan?
import-accepted = Se aceptan: GeoJSON; KML y KMZ de Google My Maps y Google Earth (carpetas, MultiGeometry, recorridos gx:Track); GPX de apps de GPS (puntos, rutas y tracks); CSV de Excel, KoboToolbox, ODK o QGIS, en UTF-8 o en la codificación de Excel, con columnas de longitud y latitud, WKT o geopuntos de ODK. Las coordenadas tienen que estar en WGS 84 (grados de longitud y latitud). Revisá siempre primero: se listan los problemas, que impiden importar, y los avisos, que no.
import-columns = Columnas de coordenadas (solo CSV, si Trama no las reconoce)
import-lon_column = Columna de la longitud
import-lat_column = Columna de la latitud
import-geometry_column = O bien, columna con WKT o geopuntos de ODK
import-problems = Problemas (hay que resolverlos para importar)
import-warnings = Avisos (no impiden importar: revisalos)
import-warning-encoding = el archivo no está en UTF-8: se leyó como { $value }; revisá que los acentos y las eñes se vean bien
import-warning-dropped_parts = se dejaron afuera { $value }: este símbolo no se dibuja así
import-warning-dropped_segment = se dejó afuera el tramo { $value } del recorrido: tiene menos de 2 puntos distintos
import-warning-reduced_to_point = dibujado como { $value }: el símbolo se dibuja como punto, así que se importa un punto adentro
import-warning-outside_area = queda a { $value } del área del proyecto
import-warning-axis_swap = la latitud y la longitud parecen invertidas: intercambiadas, caería dentro del área del proyecto
import-kind-point = 
    { $count ->
        [one] { $count } punto
       *[other] { $count } puntos
    }
import-kind-line = 
    { $count ->
        [one] { $count } línea
       *[other] { $count } líneas
    }
import-kind-polygon = 
    { $count ->
        [one] { $count } zona
       *[other] { $count } zonas
    }
import-warning-duplicate = es igual a un dibujo que el taller ya tiene (mismo símbolo y forma)
import-skip_unlocated = Importar los elementos que tienen ubicación y dejar afuera los que no la tienen (un teléfono sin señal de GPS)
import-left_out = Quedaron afuera: no tienen ubicación
import-more = 
    { $count ->
        [one] … y { $count } más del mismo tipo
       *[other] … y { $count } más del mismo tipo
    }
import-problem-unlocated = no tiene ubicación (una observación sin señal de GPS, o una geometría vacía): marcá «Importar los elementos que tienen ubicación» para dejarlo afuera e importar el resto
import-warning-images_dropped = la descripción era código de una página web: se guardó como texto; imágenes que quedaron afuera: { $value }
import-warning-answer_dropped = una respuesta no se importó (pregunta: valor): { $value }

## problem

problem-offline = No hay conexión con el servidor. Revisá la red y volvé a intentar.
problem-session = Tu sesión terminó. Volvé a entrar (Ingresar) y repetí lo que estabas haciendo.
problem-forbidden = Tu rol no permite hacer esto.
problem-not_found = Ya no existe: puede que otra persona lo haya borrado. Recargá la página.
problem-stale = Otra persona lo cambió mientras tanto. Recargá la página y volvé a intentar.
problem-too_big = Es demasiado grande para enviarlo.
problem-too_many = Demasiados intentos fallidos. Esperá unos minutos y volvé a intentar.
problem-unavailable = La base de datos no responde. Volvé a intentar en un momento.
problem-server = Falló algo en el servidor. Volvé a intentar; si se repite, avisá a quien administra Trama.
problem-refused = No se pudo: { $detail }

## action

action-create = creado
action-edit = editado
action-delete = borrado
action-restore = restaurado
action-review = revisado
action-hide = ocultado
action-unhide = vuelto a mostrar

## role

role-facilitator = facilitador/a
role-analyst = analista
role-researcher = investigador/a
role-admin = administrador/a

## map

map-basemap_online = Mapa en línea
map-basemap_none = Sin mapa de fondo
map-zoom_in = Acercar
map-zoom_out = Alejar
map-close = Cerrar
map-locate = ¿Dónde estoy?
map-locate_searching = Buscando dónde estás…
map-locate_failed = Tu teléfono no dijo dónde estás. Buscá tu calle en el mapa.
map-locate_here = Estás más o menos acá (a menos de { $metres } m). Esto queda en tu teléfono.
map-search_place = Calle, esquina o lugar
map-search_none = El mapa no tiene un lugar con ese nombre.
map-search_failed = La búsqueda no respondió; probá de nuevo.
map-layers = Mapas base y capas
map-search_no_street = El mapa no tiene una calle «{ $street }».
map-search_no_corner = Esas calles no se cruzan en el mapa.

## page

page-offline = Sin conexión con el servidor del taller: lo que ves puede no estar al día. Se actualiza solo cuando vuelva la conexión.

## geoman

geoman-place_marker = Tocá el mapa para poner el punto.
geoman-first_vertex = Tocá el mapa para poner el primer punto.
geoman-continue_line = Tocá para seguir dibujando.
geoman-finish_line = Tocá el último punto otra vez, o «Terminar».
geoman-finish_poly = Tocá el primer punto para cerrar la zona, o «Terminar».

## audit

audit-title = Registro de accesos y cambios
audit-lead = Quién vio lugares exactos de dibujos sensibles, exportó, moderó, cambió cuentas, bases legales o consentimientos, retiró, borró o entró. Sin textos ni coordenadas de los dibujos.
audit-kind = Qué
audit-door = Por dónde
audit-actor = Quién
audit-since = Desde
audit-until = Hasta
audit-filter = Filtrar
audit-any = Todo
audit-seq = Nº
audit-at = Cuándo (UTC)
audit-details = Detalle
audit-erased = detalle borrado (retiro de consentimiento)
audit-none = Nada registrado con estos filtros.
audit-older = Anteriores
audit-verifies = 
    { $count ->
        [one] La cadena del registro está íntegra: { $count } entrada.
       *[other] La cadena del registro está íntegra: { $count } entradas.
    }
audit-broken = La cadena del registro NO está íntegra: { $why }
audit-kind-exact_read = Vio lugares exactos
audit-kind-export = Exportó
audit-kind-moderation = Moderó
audit-kind-account = Cuenta
audit-kind-legal_basis = Base legal
audit-kind-consent = Consentimiento de mesa
audit-kind-withdrawal = Retiro
audit-kind-purge = Borrado por plazo
audit-kind-sign_in = Entró
audit-door-page = página
audit-door-api = API
audit-door-export = archivo
audit-door-wall = pantalla del taller
audit-door-cli = consola
audit-door-job = el servidor
audit-drawings = dibujos

## tls

tls-title = Confiar en esta computadora una vez
tls-lead = Esta computadora sirve el taller por HTTPS con una autoridad de certificación propia, hecha para esta sala. Una tableta del programa que confía en ella una vez conserva la página de dibujo aunque se recargue sin Wi-Fi. Instalala en tabletas del programa, no en los teléfonos de quienes participan.
tls-download = Descargar el certificado de la sala
tls-android_new_title = Android 11 o más nuevo
tls-android_new_1 = Descargá el certificado con el botón de arriba.
tls-android_new_2 = Abrí Ajustes → Seguridad y privacidad → Más ajustes de seguridad → Encriptación y credenciales → Instalar un certificado → Certificado de CA, y tocá «Instalar de todos modos».
tls-android_new_3 = Elegí el archivo trama-taller.crt en Descargas; la tableta pide su PIN.
tls-android_old_title = Android 7 a 10
tls-android_old_1 = Descargá el certificado con el botón de arriba y abrí Ajustes → Seguridad → Encriptación y credenciales → Instalar desde almacenamiento.
tls-android_old_2 = Elegí trama-taller.crt, llamalo «Trama taller» y, si pregunta, elegí «VPN y apps».
tls-ios_title = iPhone y iPad
tls-ios_1 = Descargá el certificado en Safari e instalá el perfil desde Ajustes → Perfil descargado.
tls-ios_2 = Después activalo en Ajustes → General → Información → Configuración de confianza de certificados.
tls-then = Listo: las páginas del taller se abren ahora por HTTPS en
tls-without = Sin esto, un teléfono entra como siempre, por HTTP: dibuja y guarda su cola aunque se corte el Wi-Fi, pero si recarga la página mientras la computadora no responde ve la página de error del navegador.
tls-scope = El certificado solo puede responder por los nombres y direcciones privadas de esta sala (localhost, nombres .local, 10.x, 172.16–31.x, 192.168.x), nunca por otro sitio. Quitalo de la tableta cuando termine el programa (Ajustes → Encriptación y credenciales → Credenciales de usuario).
tls-off = Esta computadora sirve solo HTTP. Para dar HTTPS sin internet a las tabletas del programa, iniciá Trama con --tls.
tls-fingerprint = Antes de confiar en él, comprobá que la huella SHA-256 del certificado (en sus detalles, en la tableta) sea la que la computadora muestra acá y en la pared: en un Wi-Fi abierto alguien podría repartir otro.

## problem-code: a refusal the server names by a code (src/domain/mod.rs `Refusal`), said here

problem-code-basemap-not_an_archive = «{ $file }» no es un mapa base: tiene que ser un archivo MBTiles o PMTiles (QGIS lo genera con «Generar teselas XYZ (MBTiles)»).
problem-code-basemap-truncated = «{ $file }» está cortado: la subida o la copia no terminó. Volvé a subirlo entero.
problem-code-basemap-not_mbtiles = «{ $file }» no es un MBTiles que se pueda usar. Generalo de nuevo con QGIS o con «trama basemap fetch».
problem-code-basemap-not_pmtiles = «{ $file }» no es un PMTiles que se pueda usar. Generalo de nuevo con «pmtiles extract».
problem-code-basemap-no_tiles = «{ $file }» no tiene ninguna tesela: no muestra nada.
problem-code-basemap-failed = El servidor no pudo guardar el mapa base. Volvé a intentar; si se repite, avisá a quien administra Trama.
problem-code-basemap-unknown = Ese mapa base ya no está en el proyecto. Recargá la página.
problem-code-basemap-no_data_dir = Este servidor no guarda archivos: quien lo administra tiene que iniciarlo con --data-dir para agregar mapas base.
problem-code-basemap-already_pmtiles = Ese archivo ya es un PMTiles.
problem-code-basemap-url_template = La dirección del servicio tiene que empezar con http:// o https:// y llevar {"{z}"}, {"{x}"} e {"{y}"}, por ejemplo https://teselas.ejemplo.org/{"{z}"}/{"{x}"}/{"{y}"}.png.
problem-code-basemap-url_credentials = La dirección del servicio no puede llevar usuario ni contraseña antes del nombre del servidor.
problem-code-basemap-url_placeholder = En el nombre del servidor solo puede ir {"{s}"}; {"{z}"}, {"{x}"} e {"{y}"} van en el resto de la dirección.
problem-code-basemap-osm_forbids = Los servidores de OpenStreetMap no permiten descargar zonas para usar sin conexión: usá un servicio que lo permita, o un archivo MBTiles hecho con QGIS.
problem-code-basemap-contact = Escribí un correo o un sitio tuyo: los servicios de teselas piden saber quién descarga.
problem-code-basemap-rate = La velocidad tiene que ser de más de 0 y hasta 20 teselas por segundo.
problem-code-basemap-zoom_range = Los zooms tienen que ir de menor a mayor, hasta { $max }.
problem-code-basemap-area = El área del proyecto no es un rectángulo válido: revisala en la configuración del proyecto.
problem-code-basemap-too_many_tiles = Son { $tiles } teselas (unos { $mb } MB), más que el límite de { $limit }: elegí un zoom más cercano más bajo.
problem-code-basemap-private_host = «{ $host }» es esta computadora o una red privada: el servidor no descarga de ahí salvo que quien lo administra lo permita.
problem-code-basemap-service_failed = El servicio de teselas falló cinco veces seguidas. Lo descargado se guardó: repetí la misma descarga para seguir.
problem-code-export-option = Esas opciones de exportación no se entienden. Volvé a la página de exportación y elegí de las listas.
problem-code-export-mask_range = El desplazamiento va en metros, de 0 a 5000, y el mínimo tiene que ser menor que el máximo.
problem-code-export-k_small = El conteo más chico que se muestra tiene que ser 2 o más.
problem-code-export-finer_mask = En este nivel el desplazamiento es de al menos { $min } a { $max } m: solo podés pedir más.
problem-code-export-finer_cells = En este nivel las celdas son de resolución { $resolution } o más grandes: solo podés pedir celdas más grandes.
problem-code-export-smaller_k = En este nivel no se muestran conteos menores que { $k }: solo podés pedir un número mayor.
problem-code-export-cells_unfiltered = Las celdas prioritarias agregadas se entregan para todo el proyecto, sin filtros: sacá el filtro «{ $filter }» o pedí una exportación anonimizada.
problem-code-export-counts_unfiltered = Los conteos agregados se filtran solo por taller y símbolo: sacá el filtro «{ $filter }» o pedí una exportación anonimizada.
problem-code-export-bbox_full_only = Filtrar por un recuadro del mapa solo se puede en la exportación completa.
problem-code-export-whole_days = En este nivel las fechas son días enteros: elegí fechas sin hora.
problem-code-export-annotations_format = Los comentarios no tienen lugar propio y { $format } no los guarda: pedilos en GeoPackage, GeoJSON o CSV.
problem-code-export-files = Las fotos y notas de voz van solo con una exportación completa de dibujos: elegí el nivel completo y dibujos, o destildá los archivos.
problem-code-print-option = Esas opciones de impresión no van juntas: la escala va de 1:500 a 1:100.000, una impresión tiene de 1 a 64 hojas, el área tiene que entrar en ellas a esa escala y las hojas se superponen menos de un tercio.
problem-code-priority-too_large = El análisis es demasiado grande con celdas de resolución { $resolution }: con { $fits } (celdas más grandes) entra, o elegí menos talleres, símbolos o días.
problem-code-priority-too_large_at_all = El análisis es demasiado grande: elegí menos talleres, símbolos o días.
problem-code-basemap-stopped = Se detuvo. Repetí la misma descarga para seguir desde donde quedó.
problem-code-retention-failed = El borrado programado falló; se vuelve a intentar mañana. Quien administra Trama lo ve en el registro del servidor.
problem-code-basemap-download_unusable = Lo descargado no es un mapa base que se pueda usar: el servicio no devolvió teselas. Revisá la dirección y los zooms.

problem-code-xlsform-not_a_workbook = Ese archivo no es un libro .xlsx: un XLSForm se descarga así de KoboToolbox y ODK (un .xls u .ods, guardalo antes como .xlsx).
problem-code-xlsform-too_large = Esa planilla es demasiado grande para ser un cuestionario.
problem-code-xlsform-no_survey = La planilla no tiene una hoja «survey»: no es un XLSForm.
problem-code-xlsform-no_columns = La hoja «survey» necesita en su primera fila las columnas «type» y «name».
problem-code-xlsform-nothing = El formulario no tiene ninguna pregunta que se pueda hacer sobre un dibujo (select_one, select_multiple, integer, text, date, time).
problem-code-xlsform-invalid = Las preguntas del formulario no forman un conjunto válido: { $detail }
problem-code-attachment-too_large = La foto pesa más de { $mb } MB: mandá una más chica (o sacala con menos resolución).
problem-code-attachment-not_a_photo = Ese archivo no es una foto (JPEG, PNG o WebP) ni una nota de voz (WebM, MP4 o MP3), diga lo que diga su nombre.
problem-code-attachment-too_many_pixels = La foto tiene más de { $max } píxeles de lado: mandá una más chica.
problem-code-attachment-unreadable = No se pudo leer el archivo: puede estar cortado. Probá sacarlo o grabarlo de nuevo.
problem-code-attachment-note_too_large = La nota de voz pesa más de { $mb } MB: grabá una más corta.
problem-code-attachment-too_long = La nota de voz dura { $seconds } segundos; puede durar hasta { $max }. Grabá una más corta.
## A symbol's questions on the draw page
question-yes = Sí
question-no = No
question-less = Uno menos
question-more = Uno más
question-private = Esta respuesta la ven solo quienes coordinan, no las otras mesas.
question-required = Respondé esta pregunta.

## The legend editor's questions
legend-questions = Preguntas
legend-questions_count = { $count ->
    [0] Agregar preguntas
    [one] 1 pregunta
   *[other] { $count } preguntas
}
legend-question_n = Pregunta { $n }
legend-question_add = Agregar una pregunta
legend-question_remove = Quitar esta pregunta
legend-question_type = Respuesta
legend-question_type-choice = Una opción de una lista
legend-question_type-integer = Un número entero
legend-question_type-yes_no = Sí o no
legend-question_type-text = Un texto corto
legend-question_type-date = Una fecha
legend-question_type-time = Una hora del día
legend-question_required = Obligatoria
legend-question_multiple = Se pueden elegir varias
legend-question_min = Mínimo
legend-question_max = Máximo
legend-question_max_length = Largo máximo (caracteres)
legend-question_asked = Se pregunta
legend-question_always = siempre
legend-question_when = cuando «{ $question }» es
legend-question_equals = Respuesta que la activa
legend-option_add = Agregar una opción
legend-xlsform = Leer las preguntas de un XLSForm (.xlsx de KoboToolbox u ODK)
legend-xlsform_replace = ¿Reemplazar las preguntas de este símbolo por las del formulario?
legend-xlsform_read = { $count ->
    [one] Se leyó { $count } pregunta. Revisala y guardá la leyenda.
   *[other] Se leyeron { $count } preguntas. Revisalas y guardá la leyenda.
}
xlsform-note-left_out = Fila { $row } («{ $name }»): «{ $value }» no es una pregunta que se pueda hacer sobre un dibujo; quedó afuera.
xlsform-note-repeat = Fila { $row } («{ $name }»): un grupo que se repite; sus preguntas se hacen una vez por dibujo.
xlsform-note-no_name = Fila { $row }: una pregunta sin nombre; quedó afuera.
xlsform-note-too_many = Fila { $row } («{ $name }»): un símbolo hace hasta { $value } preguntas; esta quedó afuera.
xlsform-note-renamed = Fila { $row }: «{ $name }» se llama ahora «{ $value }» (solo a-z, 0-9 y _).
xlsform-note-no_list = Fila { $row } («{ $name }»): la hoja «choices» no tiene la lista «{ $value }»; quedó afuera.
xlsform-note-too_many_options = Fila { $row } («{ $name }»): se guardaron las primeras { $value } opciones.
xlsform-note-constraint = Fila { $row } («{ $name }»): de la restricción solo se leyeron el mínimo y el máximo.
xlsform-note-condition = Fila { $row } («{ $name }»): la condición «{ $value }» no es una que Trama lea (una respuesta anterior igual a un valor); la pregunta se hace siempre.
photo-add = Agregar una foto
photo-full = Un dibujo puede llevar hasta { $count } fotos y notas de voz.
photo-chosen = Foto elegida { $n }
photo-remove = Quitar la foto { $n }
photo-not_kept = El teléfono no tiene lugar para guardar esa foto.
photo-named = Foto { $n } de { $count }: { $title }
photo-pending =
    { $count ->
        [one] Sin conexión: 1 foto o nota de voz espera para enviarse. No cierres la página.
       *[other] Sin conexión: { $count } fotos y notas de voz esperan para enviarse. No cierres la página.
    }
photo-waiting =
    { $count ->
        [one] 1 foto o nota de voz espera para enviarse.
       *[other] { $count } fotos y notas de voz esperan para enviarse.
    }
photo-refused = Una foto o nota de voz no se guardó: { $detail }
photo-remove_named = Quitar { $name }
photo-remove_confirm = ¿Quitar esta foto? No se puede deshacer.
voice-record = Grabar una nota de voz
voice-stop = Terminar la nota ({ $time })
voice-file = Elegir una nota de voz
voice-chosen = Nota de voz { $n }
voice-remove = Quitar la nota de voz { $n }
voice-named = Nota de voz { $n } de { $count } ({ $time }): { $title }
voice-no_microphone = El teléfono no dejó usar el micrófono: podés elegir una nota grabada con otra aplicación.
draw-leave_unsent =
    { $count ->
        [one] Algo que dibujaste todavía no se envió y se pierde si salís. ¿Salir igual?
       *[other] { $count } cosas que dibujaste todavía no se enviaron y se pierden si salís. ¿Salir igual?
    }
photo-held =
    { $count ->
        [one] 1 foto o nota de voz no se pudo enviar (el taller estaba cerrado o se terminó tu sesión): se vuelve a intentar cuando el taller esté abierto.
       *[other] { $count } fotos y notas de voz no se pudieron enviar (el taller estaba cerrado o se terminó tu sesión): se vuelven a intentar cuando el taller esté abierto.
    }
draw-comment_by = comentario de { $who }
draw-comment_files_not_sent = El comentario se guardó, pero alguna foto o nota de voz no se pudo enviar.
problem-code-attachment-removed = Esa foto o nota de voz se quitó del dibujo: no se vuelve a guardar.
draw-comment_attach = Agregar una foto o nota de voz al comentario

## Printed maps (PDF)
print-sheet = Hoja { $sheet } de { $sheets } · Escala 1:{ $scale }
print-legend = Referencias
print-join = Para sumarse desde un teléfono
print-notes = Notas de la mesa
print-masked = Zona aproximada de un dato sensible
print-title = Imprimir el mapa (PDF)
print-hint = Para la mesa de papel: el área con su mapa base, la grilla, las referencias y el código para sumarse, en una o varias hojas que se pegan. Cada hoja lleva marcas en las esquinas y su código, y el PDF está georreferenciado (QGIS lo abre en su lugar).
print-paper = Papel
print-orientation = Orientación
print-landscape = Apaisada
print-portrait = Vertical
print-sheets = Hojas (de ancho × de alto)
print-columns = Hojas de ancho
print-rows = Hojas de alto
print-scale = Escala 1:
print-scale_fit = la que entre
print-drawings = Con los dibujos ya hechos (los sensibles como zona aproximada)
print-with_notes = Con media hoja para notas
print-make = Preparar el PDF
print-working = Preparando la hoja { $done } de { $sheets }…
print-ready = Listo: { $sheets } hojas a escala 1:{ $scale }.
print-download = Descargar el PDF
print-failed = No se pudo preparar el PDF: { $detail }
print-zone = Zonas prioritarias
print-result = Devolución para el barrio: cantidades, zonas prioritarias confirmadas y un texto, sin marcas para volver
print-text = Texto para el barrio
print-sensitive = Los lugares sensibles
print-sensitive_masked = Como zona aproximada
print-sensitive_omitted = Fuera del mapa
