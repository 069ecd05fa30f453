# Trama: the words in English.
# Fluent format (https://projectfluent.org): each message `id = text`; `{ $name }` is a value the
# page fills in; `{ $n -> [one] … *[other] … }` picks the form for the number (CLDR plural rules).
# A new language is a file like this with the same ids.

## lang

lang-name = English

## app

app-name = Trama
app-tagline = Social cartography: mapping together to protect children

## nav

nav-skip = Skip to content
nav-language = Language
nav-logout = Log out

## home

home-title = Community maps
home-projects = Projects
home-no_projects = No projects yet.
home-code_label = Workshop code
home-code_hint = The facilitator reads it aloud, for example K7M-4QX.
home-code_submit = Join the workshop

## join

join-title = Join the workshop
join-pick_group = Pick your table
join-display_name = A nickname (optional)
join-display_name_hint = Do not use your real name or anyone else's.
join-submit = Join
join-unknown_code = No open workshop has this code. Check it with the facilitator.
join-pick_group_error = Pick a table to join.
join-no_basis = This workshop cannot take drawings yet: whoever runs it must first record on what basis they are kept (your consent or the programme's mandate). Tell them, and try again in a while.
join-consent_title = Before you join
join-consent_withdrawal = If you change your mind:
join-consent_accept = I have read this and I agree.
join-consent_error = To join, read the text and tick that you agree.

## draw

draw-title = Draw on the map
draw-legend = Symbols
draw-pick_symbol = Pick a symbol, then draw it on the map.
draw-point = Tap the map where it is.
draw-line = Tap the map point by point; tap the last point again to finish.
draw-polygon = Tap the map point by point; tap the first point to close the area.
draw-form_title = Title
draw-form_description = Description (optional)
draw-names_warning = Never write people's names: not neighbours', not children's, not employers'.
draw-sensitive_words_warning = This symbol is sensitive: do not write addresses, streets, house numbers, shops or names of places, nor of people. The other tables will see it only as an approximate area, without what you write.
draw-save = Save
draw-cancel = Cancel
draw-saved = Saved.
draw-pending = 
    { $count ->
        [one] Offline: { $count } drawing waiting to be sent. Keep this page open.
       *[other] Offline: { $count } drawings waiting to be sent. Keep this page open.
    }
draw-sent = Pending drawings were sent.
draw-failed = Could not save: { $detail }
draw-slow_down = You are going fast: your drawings wait a moment and are sent by themselves.
draw-refused-too_fast = Many comments in a row: wait a minute and send it again.
draw-refused-session = Your workshop session has ended: join again with the workshop code.
draw-refused-forbidden = You are not allowed to do this.
draw-refused-closed = The workshop is closed: no new drawings can be added.
draw-refused-unchangeable = This drawing can no longer be changed: it was deleted or the workshop closed.
draw-refused-too_big = The drawing is too large to save: try with fewer points.
draw-refused-shape = The shape is not valid (its edges cross, for example): draw it again.
draw-queued = Waiting to be sent.
draw-not_saved = This drawing was not saved.
draw-retry = Try again
draw-discard = Discard
draw-discard_confirm = Discard this drawing? It cannot be recovered.
draw-discarded = Drawing discarded.
draw-unsaved = 
    { $count ->
        [one] { $count } drawing was not saved: tap the dashed drawing to see why.
       *[other] { $count } drawings were not saved: tap the dashed drawings to see why.
    }
draw-kind-risk = Problems and risks
draw-kind-resource = Resources
draw-kind-actor = Actors
draw-kind-relation = Relations and routes
draw-kind-other = Other
draw-group = Table
draw-leave = Leave the workshop
draw-comments = Comments
draw-comment_add = Comment
draw-comment_label = Your comment
draw-delete = Delete my drawing
draw-deleted = Deleted.
draw-edit = Edit my drawing
draw-edit_hint = Move the points on the map and change the text, then save.
draw-updated = Changes saved.
draw-conflict = Someone changed this drawing meanwhile; it was reloaded.
draw-refused-comment = You can comment only on drawings of your workshop, while the workshop is open.
draw-comment_offline = No connection: the comment was not sent. Try again when you have signal.
draw-edit_offline = No connection: the change was not saved. Try again when you have signal.
draw-delete_offline = No connection: the drawing was not deleted. Try again when you have signal.
draw-workshop_closed = The workshop was closed: drawings can no longer be sent. What you drew is kept on this phone.
draw-workshop_reopened = The workshop is open again: you can go on drawing.
draw-undo_point = Undo point
draw-finish = Finish
draw-form_symbol = Name what you drew: { $symbol }
draw-shape-point = Point
draw-shape-line = Line
draw-shape-polygon = Area
draw-outside_area = What you drew is outside the project's area. Save it anyway?
draw-comment_someone = someone in the workshop
draw-search_legend = Search the legend
draw-search_none = No symbol has that name.
draw-only_my_table = Only my table's drawings
draw-withdraw_title = If you do not want your drawings kept
draw-withdraw_hint = Ask whoever runs the workshop to delete them, with this code:
draw-cancelled = Shape cancelled.
draw-deleted_undo = Drawing deleted.
draw-undo = Undo

## error

error-title = Something went wrong
error-back = Back to the start
error-not_found = We could not find that page.
error-session = Your session ended. Join again with the workshop code.
error-forbidden = You cannot do that.
error-refused = What you asked for could not be done. Go back, check what you entered and try again.
error-detail = Detail
error-go_back = Back to the page, to change what you asked for

## login

login-title = Log in
login-username = Username
login-password = Password
login-submit = Log in
login-failed = Wrong username or password, or too many attempts. Try again in a few minutes.

## workshops

workshops-title = Workshops
workshops-none = You do not run any workshop.
workshops-open = open
workshops-closed = closed
workshops-wall = Wall map
workshops-review = Review the project
workshops-new = New workshop
workshops-project = Project
workshops-title_field = Title
workshops-place = Place
workshops-groups = Tables (one per line)
workshops-close = Close the workshop
workshops-export = Export data
workshops-close_confirm = Close the workshop? People will no longer be able to join or send drawings, and their phones will say so. What was drawn stays, and you can reopen it later.
workshops-reopen = Reopen the workshop
workshops-large_room = A large room
workshops-joins = Phones that may join in a minute (empty: the server's limit)
workshops-tally = 
    { $tables ->
        [one] { $tables } table
       *[other] { $tables } tables
    } · { $participants ->
        [one] { $participants } participant
       *[other] { $participants } participants
    } · { $drawings ->
        [one] { $drawings } drawing
       *[other] { $drawings } drawings
    }
workshops-care = Legal basis, consent and withdrawal
workshops-basis-none = No legal basis: this workshop takes no drawings until you give it one.
workshops-basis-consent_participant = Legal basis: each participant's consent on joining (text version { $version }).
workshops-basis-consent_facilitator = Legal basis: each table's consent, recorded by the facilitator (text version { $version }).
workshops-basis-public_interest = Legal basis: the programme's public-interest mandate (version { $version }).
workshops-basis_kind = On what basis are the drawings kept?
workshops-basis_consent = The consent of those who draw
workshops-basis_public_interest = The programme's public-interest mandate (when consent cannot be free)
workshops-given_by = Who gives consent?
workshops-given_participant = Each participant, on their phone, before drawing
workshops-given_facilitator = Each table aloud; the facilitator records it
workshops-text_es = Text read out (Spanish): what is kept, for what, for how long
workshops-withdrawal_es = How to withdraw (Spanish)
workshops-text_en = Text read out (English)
workshops-withdrawal_en = How to withdraw (English)
workshops-mandate = Mandate: the law or programme that charges this work
workshops-uses = Besides the commission's analysis, it covers:
workshops-use_research = Anonymised exports for research
workshops-use_publication = Publishing aggregated results
workshops-basis_fixed = Once someone has accepted a text, it is fixed: to change it, open another workshop.
workshops-table_consent = Table “{ $table }” agreed aloud
workshops-table_note = How: who read it out, in which language, whether anyone disagreed
workshops-record = Record
workshops-withdraw_title = Withdraw a consent
workshops-withdraw_hint = Everything that table or person drew and wrote is deleted at once and for good, from every page, export and analysis.
workshops-withdraw_table = A table
workshops-withdraw_participant = Or one person (the code their phone shows under “If you do not want your drawings kept”)
workshops-withdraw_confirm = Delete everything they did, for good? This cannot be undone.
workshops-withdraw = Withdraw and delete

## wall

wall-code = Code to join
wall-scan = Scan to join
wall-groups = Tables
wall-live = Live
wall-offline = Reconnecting…
wall-unreachable = Phones cannot join: Trama answers this computer only. Start it with --listen 0.0.0.0:{ $port } so that the workshop network reaches it.
wall-closed = The workshop is closed: nobody can join or draw any more.
wall-closed_status = Workshop closed
wall-sensitive_masked = Sensitive places are shown as approximate areas, as on the phones.
wall-sensitive_exact = Caution: sensitive places are shown at their exact position (closed session).
wall-sensitive_show_exact = Show them exactly (closed session only)
wall-sensitive_mask_them = Show them as areas again
wall-sensitive_exact_confirm = Show sensitive places at their exact position? Everyone who sees this screen will see them, with their titles. Do it only in a closed session, with no participants in the room.
wall-sensitive_exact_banner = Sensitive places shown exactly
wall-latest = Latest drawings
wall-fit = Show every drawing
wall-symbols = Symbols on the map
wall-tls_hint = Programme tablets: trust this laptop once at

## review

review-title = Review
review-workshop = Workshop
review-symbol = Symbol
review-state = State
review-since = From
review-until = To
review-all = All
review-apply = Filter
review-count = 
    { $count ->
        [one] { $count } item
       *[other] { $count } items
    }
review-count_truncated = 
    { $count ->
        [one] { $count } item: the first one.
       *[other] { $count } items: the first ones.
    } “Load more” brings the next; or filter by workshop, symbol or dates.
review-more = Load more
review-accept = Accept
review-reject = Reject
review-reject_reason = Why is it rejected?
review-hide = Hide
review-unhide = Show
review-history = History
review-title_col = Title
review-date_col = Date
review-hidden = hidden
review-heat = Heat of risks
review-deleted = Show deleted
review-restore = Restore
review-annotate = Annotate
review-annotation_prompt = Annotation (no people's names)
review-deleted_mark = deleted
review-group = Table
review-answer = Answer
review-done = Done.
review-annotated = Annotation saved.
review-reason = reason: { $reason }
review-where_col = Workshop · table
review-author_col = Author
review-tab_drawings = Drawings
review-actions_col = Actions
review-bulk = Decide on several drawings
review-bulk_reason = Reason for rejecting
review-bulk_reason_needed = Write the reason for rejecting: each rejected drawing keeps it.
review-select_page = Choose the drawings on this page
review-pages = Pages of the table
review-prev = ‹ Previous
review-next = Next ›
review-page_of = { $from }–{ $to } of { $count }
review-choose = Choose “{ $title }”
review-chosen = 
    { $count ->
        [one] { $count } chosen
       *[other] { $count } chosen
    }
review-choose_all = 
    { $count ->
        [one] Choose { $count }
       *[other] Choose all { $count }
    }
review-choose_none = Choose none
review-bulk_done = 
    { $count ->
        [one] Done: { $count } drawing.
       *[other] Done: { $count } drawings.
    }
review-bulk_unchanged = 
    { $count ->
        [one] { $count } was already so.
       *[other] { $count } were already so.
    }
review-bulk_refused = 
    { $count ->
        [one] { $count } drawing was left as it was.
       *[other] { $count } drawings were left as they were.
    } { $why }

## state

state-submitted = submitted
state-accepted = accepted
state-rejected = rejected
state-merged = merged

## admin

admin-title = Administration
admin-projects = Projects
admin-new_project = New project
admin-slug = Identifier (in the address)
admin-name = Name
admin-description = Description
admin-locale = Default language
admin-create = Create
admin-users = Users
admin-new_user = New user
admin-role = Role
admin-password = Password (10 characters or more)
admin-legend = Edit the legend
admin-privacy = Privacy of sensitive places
admin-sensitive_exact = Who sees sensitive drawings at their exact place (besides analysts, admins and whoever drew them)
admin-sensitive_exact-analysts = Nobody else: tables, facilitator and wall see the cell
admin-sensitive_exact-workshop = Also its workshop (closed session)
admin-masking_hint = The least masking of researchers' exports: they may ask for more, never less.
admin-import_max_items = Most items one imported file may hold
admin-import_max_items_hint = Empty: the server's default (5,000). A file with more is refused, saying so; at most 50,000.
admin-photo_max_mb = Largest photo (MB; empty: 8)
admin-voice_note_max_seconds = Longest voice note (seconds; empty: 60)
admin-mask_resolution = Cell size (H3: lower is larger)
admin-saved = Saved.
admin-pictograms = Pictograms
admin-upload = Upload a pictogram
admin-pictogram_name = Name (a-z, 0-9, dashes)
admin-pictogram_file = SVG file
admin-disabled = Disabled
admin-save = Save
admin-not_saved = Not saved.
admin-taken-new-project = There is already a project with that identifier: choose another.
admin-taken-new-user = There is already a user with that name: choose another.
admin-invalid-slug = 2-64 characters: a-z, 0-9 and '-', starting with a letter
admin-invalid-name = a name of up to 200 characters is needed
admin-invalid-default_locale = a language such as es-AR or en
admin-invalid-username = 3-40 characters: letters, digits, '.', '_' or '-'
admin-invalid-password = at least 10 characters
admin-invalid-title = a title of up to 200 characters is needed
admin-invalid-groups = 1 to 50 tables, each with its own name
admin-basemaps = Basemaps
admin-basemaps_hint = So that the map shows with no internet in the workshop. An MBTiles or PMTiles file (from QGIS, a Protomaps extract, or downloaded below) is kept on the server and the project's pages offer it.
admin-basemap_none = This project has no basemaps yet.
admin-basemap_server = the server's, for every project
admin-basemap_describe = { $file } { $format }, zoom { $min } to { $max }
admin-basemap_remove = Remove
admin-basemap_remove_confirm = Remove this basemap? Its file is deleted from the server.
admin-basemap_upload = Upload a file
admin-basemap_label = Name people see (for example, Streets)
admin-basemap_file = An .mbtiles or .pmtiles file
admin-basemap_upload_button = Upload
admin-basemap_uploading = Uploading… { $percent } %
admin-basemap_checking = Checking the file…
admin-basemap_added = Done: the project's pages now offer this basemap.
admin-fetch = Download the project's area (online)
admin-fetch_hint = Downloads the tiles of the project's area from a map service whose terms allow it (OpenStreetMap's own servers do not). It goes slowly, one tile at a time, to respect the service.
admin-fetch_url = Address of the service, with { "{z}" }, { "{x}" } and { "{y}" }
admin-fetch_contact = Your email or website, so the service knows who downloads
admin-fetch_attribution = Attribution the service asks for
admin-fetch_min_zoom = Farthest zoom
admin-fetch_max_zoom = Closest zoom (17 already shows each block)
admin-fetch_estimate = Estimate the size
admin-fetch_estimated = 
    { $tiles ->
        [one] { $tiles } tile
       *[other] { $tiles } tiles
    }, about { $mb } MB, { $minutes ->
        [one] about a minute.
       *[other] about { $minutes } minutes.
    }
admin-fetch_start = Download
admin-fetch_stop = Stop
admin-fetch_progress = Downloading: { $done } of { $total } tiles ({ $mb } MB).
admin-fetch_done = Download finished: the project's pages now offer this basemap.
admin-fetch_failed = The download stopped: { $error }
admin-new_password = New password (only to change it)
admin-invalid-text_es = write the text (up to 8,000 characters)
admin-invalid-withdrawal_es = write how to withdraw (up to 8,000 characters)
admin-invalid-text_en = write the text (up to 8,000 characters)
admin-invalid-withdrawal_en = write how to withdraw (up to 8,000 characters)
admin-invalid-texts = write the text and how to withdraw in at least one language
admin-invalid-mandate = write the mandate (up to 8,000 characters)
admin-retention_months = Months drawings are kept after each workshop (empty: until deleted)
admin-retention_then = When it ends
admin-retention_then_delete = Delete the drawings
admin-retention_then_keep_counts = Keep only the counts
admin-retention_hint = After that, the workshop's drawings, comments and participants are deleted for good (daily, and with “trama purge”). Keeping the counts keeps how many drawings of each symbol fell in each area, small counts left out, for aggregated exports and priority areas; nothing else.
admin-invalid-retention_months = 1 to 120 months, or empty
admin-basemap_warning_unknown_schema = Its vector layers are in neither the OpenMapTiles nor the Protomaps schema: the map will be blank. Make it with tilemaker or Planetiler (OpenMapTiles), or take a Protomaps extract.
admin-basemap_warning_outside_area = It does not cover the whole of the project's area: parts of the map will be blank.
admin-basemap_warning_starts_deep = Its lowest zoom is { $min }: maps open at that zoom, a few blocks, instead of the whole district.
admin-basemap_warning_shallow = Its deepest zoom is { $max }: streets and their names need 14 or more.

## legend

legend-title = Legend
legend-key = Key
legend-label_es = Name (es)
legend-label_en = Name (en)
legend-kind = Kind
legend-geometry = Drawn as
legend-color = Colour
legend-icon = Pictogram
legend-weight = Weight
legend-sensitive = Sensitive
legend-add = Add a symbol
legend-remove = Remove
legend-save = Save the legend
legend-not_saved = The legend was not saved.
legend-row = Symbol { $row }
legend-invalid-key = the key is required and unique, 1-64 characters: a-z, 0-9, '_' or '-'
legend-invalid-labels = at least one label of 1-100 characters is needed
legend-invalid-geometry_types = choose at least one shape: point, line or zone
legend-invalid-color = the colour must be #rrggbb
legend-invalid-icon = the pictogram must be one of the list
legend-invalid-weight = the weight must be between -100 and 100

## geometry

geometry-point = point
geometry-line = line
geometry-polygon = area

## priority

priority-title = Priority areas
priority-rule = Rule
priority-rule_gi = Hot spots (Gi*)
priority-rule_consensus = Consensus between groups
priority-rule_top = Highest-scoring cells
priority-confidence = Confidence
priority-k = Groups that agree (k)
priority-percent = Percentage of cells
priority-resolution = Cell size
priority-weight_by = Each drawing weighs
priority-weight_symbol = its symbol's weight
priority-weight_answer = its symbol's weight × “{ $question }”
priority-compute = Compute priorities
priority-computing = Computing…
priority-coarsened = Too many cells at the size chosen: computed with cells of { $size }.
priority-result = 
    { $cells ->
        [one] { $cells } cell
       *[other] { $cells } cells
    }, { $zones ->
        [one] { $zones } zone
       *[other] { $zones } zones
    }
priority-layer_cells = Score per cell
priority-layer_hot = Hot spots
priority-layer_zones = Computed zones
priority-layer_saved = Saved priority zones
priority-score = Score
priority-groups = Groups
priority-workshops = Workshops
priority-features = Drawings
priority-area = Area
priority-hot = Hot spot at { $confidence } %
priority-cold = Cold spot at { $confidence } %
priority-not_significant = No significant clustering
priority-save = Save as a priority zone
priority-save_name = Name of the priority zone
priority-saved_zones = Priority zones
priority-none_saved = No saved zones yet.
priority-status_note = Why does the status change? (optional)
priority-status-proposed = proposed
priority-status-confirmed = confirmed
priority-status-intervention_planned = intervention planned
priority-status-closed = closed
priority-units = Score per unit (neighbourhoods, census tracts)
priority-layer = Boundary layer
priority-units_compute = Compute per unit
priority-upload_file = Upload a layer (GeoJSON of polygons)
priority-upload_name = Layer name
priority-upload_property = Property naming each unit
priority-upload = Upload the layer
priority-uploaded = 
    { $count ->
        [one] Layer uploaded: { $count } unit.
       *[other] Layer uploaded: { $count } units.
    }
priority-density = Score per km²
priority-change = Change between workshops
priority-before = Earlier workshops
priority-after = Later workshops
priority-change_compute = Compare zones
priority-change-new = new zone
priority-change-persisting = persisting zone
priority-change-gone = zone gone
priority-overlap = Overlap
priority-layer_units = Units
priority-layer_change = Change
priority-change_result = 
    { $zones ->
        [one] { $zones } zone compared
       *[other] { $zones } zones compared
    }
priority-notes = Notes
priority-notes_prompt = Notes on the zone (no people's names)
priority-legend_title = What the map shows
priority-legend_score = Score per cell (sum of its drawings' symbol weights; cells of { $size })
priority-legend_score_weighed = Score per cell (sum of what each drawing weighs: { $weight }; cells of { $size })
priority-legend_density = Score per km² of each unit
priority-legend_negative = below 0 (resources outweigh risks)
priority-legend_zero = 0
priority-legend_zone = computed zone (not saved)
priority-legend_saved = saved priority zone
priority-legend_heat_low = few risks, or light ones
priority-legend_heat_high = many risks, or heavy ones

## export

export-title = Export data
export-lead = A file for QGIS, R or Python. Every export is recorded: who, when, what and at which privacy level.
export-format = Format
export-privacy = Privacy
export-privacy_anonymised = Anonymised: no names or free text, points displaced, sensitive places as a cell
export-privacy_aggregated = Aggregated: counts per cell and symbol, small counts suppressed
export-privacy_full = Full: everything stored (analysts only)
export-privacy_hint = Anonymised is the default and what research gets. Aggregated counts are filtered by workshop only, and aggregated priority cells take no filters: two exports with different filters must not subtract to a hidden small count.
export-content = Content
export-content_features = Drawings
export-content_zones = Saved priority zones
export-geometry = Geometry
export-geometry_all = Every type
export-geometry_points = Points only (MultiPoint)
export-geometry_lines = Lines only (MultiLineString)
export-geometry_polygons = Zones only (MultiPolygon)
export-geometry_hint = A GeoPackage holds a layer of each type; a FlatGeobuf file holds one layer: choose a type for QGIS and stricter tools.
export-files = With their photos and voice notes (a ZIP: the file and, beside it, each drawing's files)
export-files_hint = Full exports of drawings only: a photo shows a place as a title names it. attachments.csv says which drawing and comment each file is of; a GeoPackage carries them inside as well.
export-mask_min = Least displacement of points (m)
export-mask_max = Greatest displacement of points (m)
export-k = Smallest count per cell (aggregated)
export-download = Download
export-content_cells = Priority cells (score and Gi*; with aggregated or full privacy)

## import

import-title = Import a map (GeoJSON, KML or KMZ, GPX, CSV)
import-file = File
import-field = Field holding the category (optional)
import-field_hint = default: symbol, category, the KML folder, GPX type
import-map = File categories → symbols (one per line: Category = symbol)
import-default_symbol = Symbol for items without a category (optional)
import-check = Check without saving
import-import = Import
import-report = 
    { $items ->
        [one] { $items } item
       *[other] { $items } items
    } · drawings ready to import: { $ready } · problems: { $problems } · warnings: { $warnings }
import-categories = Categories found
import-item = item { $item }
import-line = line { $line }
import-done = 
    { $count ->
        [one] Imported { $count } drawing.
       *[other] Imported { $count } drawings.
    }
import-again = This file was already imported: nothing added.
import-refused = Nothing was imported:
import-problem-file = { $value }
import-problem-unknown_category = unknown category “{ $value }”: map it to a symbol of the legend
import-problem-missing_category = missing category: give the field that holds it, or a default symbol
import-problem-geometry = the shape cannot be read: { $value }
import-problem-symbol = the symbol does not fit this geometry: { $value }
import-accepted_title = Which files are accepted?
import-accepted = Accepted: GeoJSON; KML and KMZ from Google My Maps and Google Earth (folders, MultiGeometry, gx:Track recordings); GPX from GPS apps (waypoints, routes and tracks); CSV from Excel, KoboToolbox, ODK or QGIS, in UTF-8 or Excel's encoding, with longitude and latitude columns, WKT or ODK geopoints. Coordinates must be WGS 84 (degrees of longitude and latitude). Always check first: problems, which stop the import, and warnings, which do not, are listed.
import-columns = Coordinate columns (CSV only, when Trama does not recognise them)
import-lon_column = Longitude column
import-lat_column = Latitude column
import-geometry_column = Or a column of WKT or ODK geopoints
import-problems = Problems (to be fixed before importing)
import-warnings = Warnings (they do not stop the import: check them)
import-warning-encoding = the file is not UTF-8: it was read as { $value }; check that accents look right
import-warning-dropped_parts = { $value } left out: this symbol is not drawn that way
import-warning-dropped_segment = track segment { $value } left out: it has fewer than 2 distinct points
import-warning-reduced_to_point = drawn as { $value }: the symbol is drawn as a point, so a point inside it is imported
import-warning-outside_area = { $value } from the project's area
import-warning-axis_swap = latitude and longitude look swapped: exchanged, it would fall inside the project's area
import-kind-point = 
    { $count ->
        [one] { $count } point
       *[other] { $count } points
    }
import-kind-line = 
    { $count ->
        [one] { $count } line
       *[other] { $count } lines
    }
import-kind-polygon = 
    { $count ->
        [one] { $count } zone
       *[other] { $count } zones
    }
import-warning-duplicate = identical to a drawing the workshop already has (same symbol and shape)
import-skip_unlocated = Import the items that have a location, leaving out those without one (a phone with no GPS fix)
import-left_out = Left out: they have no location
import-more = 
    { $count ->
        [one] … and { $count } more of the same kind
       *[other] … and { $count } more of the same kind
    }
import-problem-unlocated = it has no location (an observation without a GPS fix, or an empty geometry): tick “Import the items that have a location” to leave it out and import the rest
import-warning-images_dropped = the description was a web page's markup: kept as plain text; images left out: { $value }
import-warning-answer_dropped = an answer was left out (question: value): { $value }

## problem

problem-offline = Cannot reach the server. Check the network and try again.
problem-session = Your session has ended. Log in again and repeat what you were doing.
problem-forbidden = Your role does not allow this.
problem-not_found = It no longer exists: someone may have deleted it. Reload the page.
problem-stale = Someone else changed it meanwhile. Reload the page and try again.
problem-too_big = It is too large to send.
problem-too_many = Too many failed attempts. Wait a few minutes and try again.
problem-unavailable = The database is not answering. Try again in a moment.
problem-server = Something failed on the server. Try again; if it happens again, tell whoever runs Trama.
problem-refused = Not done: { $detail }

## action

action-create = created
action-edit = edited
action-delete = deleted
action-restore = restored
action-review = reviewed
action-hide = hidden
action-unhide = shown again

## role

role-facilitator = facilitator
role-analyst = analyst
role-researcher = researcher
role-admin = admin

## map

map-basemap_online = Online map
map-basemap_none = No basemap
map-zoom_in = Zoom in
map-zoom_out = Zoom out
map-close = Close
map-locate = Where am I?
map-locate_searching = Looking for where you are…
map-locate_failed = Your phone did not say where you are. Look for your street on the map.
map-locate_here = You are about here (within { $metres } m). This stays on your phone.
map-search_place = Street, corner or place
map-search_none = The map has no place of that name.
map-search_failed = The search did not answer; try again.
map-layers = Basemaps and layers
map-search_no_street = The map has no street called “{ $street }”.
map-search_no_corner = Those streets do not meet on the map.

## page

page-offline = No connection to the workshop server: what you see may be out of date. It updates by itself when the connection is back.

## geoman

geoman-place_marker = Tap the map to place the point.
geoman-first_vertex = Tap the map to place the first point.
geoman-continue_line = Tap to go on drawing.
geoman-finish_line = Tap the last point again, or “Finish”.
geoman-finish_poly = Tap the first point to close the area, or “Finish”.

## audit

audit-title = Record of access and changes
audit-lead = Who saw exact places of sensitive drawings, exported, moderated, changed accounts, legal bases or consents, withdrew, purged or signed in. No words or coordinates of drawings.
audit-kind = What
audit-door = Through
audit-actor = Who
audit-since = From
audit-until = To
audit-filter = Filter
audit-any = Anything
audit-seq = No.
audit-at = When (UTC)
audit-details = Details
audit-erased = details erased (consent withdrawn)
audit-none = Nothing recorded with these filters.
audit-older = Older
audit-verifies = 
    { $count ->
        [one] The record's chain is intact: { $count } entry.
       *[other] The record's chain is intact: { $count } entries.
    }
audit-broken = The record's chain is NOT intact: { $why }
audit-kind-exact_read = Saw exact places
audit-kind-export = Exported
audit-kind-moderation = Moderated
audit-kind-account = Account
audit-kind-legal_basis = Legal basis
audit-kind-consent = Table consent
audit-kind-withdrawal = Withdrawal
audit-kind-purge = Retention purge
audit-kind-sign_in = Signed in
audit-door-page = page
audit-door-api = API
audit-door-export = file
audit-door-wall = workshop wall
audit-door-cli = console
audit-door-job = the server
audit-drawings = drawings

## tls

tls-title = Trust this laptop once
tls-lead = This laptop serves the workshop over HTTPS with a certificate authority of its own, made for this room. A programme tablet that trusts it once keeps the drawing page when it is reloaded with the Wi-Fi down. Install it on tablets the programme owns, not on participants' own phones.
tls-download = Download the room's certificate
tls-android_new_title = Android 11 and later
tls-android_new_1 = Download the certificate with the button above.
tls-android_new_2 = Open Settings → Security and privacy → More security settings → Encryption and credentials → Install a certificate → CA certificate, and tap “Install anyway”.
tls-android_new_3 = Choose the file trama-taller.crt from Downloads; the tablet asks for its PIN.
tls-android_old_title = Android 7 to 10
tls-android_old_1 = Download the certificate with the button above, then open Settings → Security → Encryption and credentials → Install from storage.
tls-android_old_2 = Choose trama-taller.crt, name it “Trama taller”, and choose “VPN and apps” if asked.
tls-ios_title = iPhone and iPad
tls-ios_1 = Download the certificate in Safari and install the profile from Settings → Profile downloaded.
tls-ios_2 = Then turn it on in Settings → General → About → Certificate trust settings.
tls-then = Done: the workshop's pages now open over HTTPS at
tls-without = Without it a phone joins as always, over plain HTTP: it draws and keeps its queue while the Wi-Fi drops, but a reload while the laptop is out of reach shows the browser's error page.
tls-scope = The certificate can vouch for this room's names and private addresses only (localhost, .local names, 10.x, 172.16–31.x, 192.168.x), never for another site. Remove it from the tablet when the programme ends (Settings → Encryption and credentials → User credentials).
tls-off = This laptop serves plain HTTP only. To give programme tablets HTTPS with no internet, start Trama with --tls.
tls-fingerprint = Before trusting it, check that the certificate's SHA-256 fingerprint (in its details on the tablet) is the one the laptop shows here and on the wall: on an open Wi-Fi someone could hand out another.

## problem-code: a refusal the server names by a code (src/domain/mod.rs `Refusal`), said here

problem-code-basemap-not_an_archive = “{ $file }” is not a basemap: it must be an MBTiles or PMTiles file (QGIS makes one with “Generate XYZ tiles (MBTiles)”).
problem-code-basemap-truncated = “{ $file }” is cut short: the upload or copy did not finish. Upload it again, whole.
problem-code-basemap-not_mbtiles = “{ $file }” is not a usable MBTiles file. Make it again with QGIS or “trama basemap fetch”.
problem-code-basemap-not_pmtiles = “{ $file }” is not a usable PMTiles archive. Make it again with “pmtiles extract”.
problem-code-basemap-no_tiles = “{ $file }” holds no tiles: it shows nothing.
problem-code-basemap-failed = The server could not keep the basemap. Try again; if it happens again, tell whoever runs Trama.
problem-code-basemap-unknown = That basemap is no longer in the project. Reload the page.
problem-code-basemap-no_data_dir = This server keeps no files: whoever runs it must start it with --data-dir to add basemaps.
problem-code-basemap-already_pmtiles = That file is already a PMTiles archive.
problem-code-basemap-url_template = The service's address must start with http:// or https:// and hold {"{z}"}, {"{x}"} and {"{y}"}, such as https://tiles.example.org/{"{z}"}/{"{x}"}/{"{y}"}.png.
problem-code-basemap-url_credentials = The service's address may not carry a user name or password before the server's name.
problem-code-basemap-url_placeholder = The server's name may hold {"{s}"} only; {"{z}"}, {"{x}"} and {"{y}"} go in the rest of the address.
problem-code-basemap-osm_forbids = OpenStreetMap's tile servers forbid downloading areas for offline use: use a service that allows it, or an MBTiles file made with QGIS.
problem-code-basemap-contact = Give an email or a website of yours: tile services ask to know who downloads.
problem-code-basemap-rate = The rate must be above 0 and at most 20 tiles a second.
problem-code-basemap-zoom_range = The zooms must go from lower to higher, up to { $max }.
problem-code-basemap-area = The project's area is not a valid box: check it in the project's settings.
problem-code-basemap-too_many_tiles = That is { $tiles } tiles (about { $mb } MB), above the limit of { $limit }: choose a lower closest zoom.
problem-code-basemap-private_host = “{ $host }” is this computer or a private network: the server does not download from there unless whoever runs it allows it.
problem-code-basemap-service_failed = The tile service failed five times in a row. What was downloaded is kept: run the same download again to go on.
problem-code-export-option = Those export options cannot be read. Go back to the export page and choose from its lists.
problem-code-export-mask_range = The displacement is in metres, from 0 to 5000, and the smallest must be below the largest.
problem-code-export-k_small = The smallest count shown must be 2 or more.
problem-code-export-finer_mask = At this level the displacement is at least { $min } to { $max } m: you may only ask for more.
problem-code-export-finer_cells = At this level cells are of resolution { $resolution } or larger: you may only ask for larger cells.
problem-code-export-smaller_k = At this level counts under { $k } are not shown: you may only ask for a larger number.
problem-code-export-cells_unfiltered = Aggregated priority cells are released for the whole project, without filters: remove the “{ $filter }” filter or take an anonymised export.
problem-code-export-counts_unfiltered = Aggregated counts are filtered by workshop and symbol only: remove the “{ $filter }” filter or take an anonymised export.
problem-code-export-bbox_full_only = Filtering by a box of the map is offered in full exports only.
problem-code-export-whole_days = At this level dates are whole days: choose dates without a time.
problem-code-export-annotations_format = Comments have no place of their own and { $format } drops them: take them as GeoPackage, GeoJSON or CSV.
problem-code-export-files = Photos and voice notes go only with a full export of drawings: choose the full level and drawings, or untick the files.
problem-code-print-option = Those print options do not fit together: the scale is 1:500 to 1:100,000, a print has 1 to 64 sheets, the area must fit them at the scale, and sheets overlap by less than a third.
problem-code-priority-too_large = The analysis is too large with cells of resolution { $resolution }: { $fits } (larger cells) fits, or choose fewer workshops, symbols or days.
problem-code-priority-too_large_at_all = The analysis is too large: choose fewer workshops, symbols or days.
problem-code-basemap-stopped = Stopped. Run the same download again to go on from where it was.
problem-code-retention-failed = The scheduled purge failed; it is tried again tomorrow. Whoever runs Trama sees why in the server's log.
problem-code-basemap-download_unusable = What was downloaded is not a usable basemap: the service gave no tiles. Check its address and the zooms.

problem-code-xlsform-not_a_workbook = That file is not an .xlsx workbook: KoboToolbox and ODK download an XLSForm so (save an .xls or .ods as .xlsx first).
problem-code-xlsform-too_large = That spreadsheet is too large to be a questionnaire.
problem-code-xlsform-no_survey = The spreadsheet has no 'survey' sheet: it is not an XLSForm.
problem-code-xlsform-no_columns = The 'survey' sheet needs the columns 'type' and 'name' in its first row.
problem-code-xlsform-nothing = The form has no question a drawing can be asked (select_one, select_multiple, integer, text, date, time).
problem-code-xlsform-invalid = The form's questions do not make a valid set: { $detail }
problem-code-attachment-too_large = The photo is larger than { $mb } MB: send a smaller one (or take it at a lower resolution).
problem-code-attachment-not_a_photo = That file is neither a photo (JPEG, PNG or WebP) nor a voice note (WebM, MP4 or MP3), whatever its name says.
problem-code-attachment-too_many_pixels = The photo is more than { $max } pixels a side: send a smaller one.
problem-code-attachment-unreadable = The file cannot be read: it may be cut short. Try taking or recording it again.
problem-code-attachment-note_too_large = The voice note is larger than { $mb } MB: record a shorter one.
problem-code-attachment-too_long = The voice note lasts { $seconds } seconds; it may last up to { $max }. Record a shorter one.
## A symbol's questions on the draw page
question-yes = Yes
question-no = No
question-less = One less
question-more = One more
question-private = Only the coordinators see this answer, not the other tables.
question-required = Answer this question.

## The legend editor's questions
legend-questions = Questions
legend-questions_count = { $count ->
    [0] Add questions
    [one] 1 question
   *[other] { $count } questions
}
legend-question_n = Question { $n }
legend-question_add = Add a question
legend-question_remove = Remove this question
legend-question_type = Answer
legend-question_type-choice = One option from a list
legend-question_type-integer = A whole number
legend-question_type-yes_no = Yes or no
legend-question_type-text = A short text
legend-question_type-date = A date
legend-question_type-time = A time of day
legend-question_required = Required
legend-question_multiple = Several can be chosen
legend-question_min = Minimum
legend-question_max = Maximum
legend-question_max_length = Longest (characters)
legend-question_asked = Asked
legend-question_always = always
legend-question_when = when “{ $question }” is
legend-question_equals = Answer that asks it
legend-option_add = Add an option
legend-xlsform = Read the questions of an XLSForm (an .xlsx from KoboToolbox or ODK)
legend-xlsform_replace = Replace this symbol's questions with the form's?
legend-xlsform_read = { $count ->
    [one] { $count } question read. Check it and save the legend.
   *[other] { $count } questions read. Check them and save the legend.
}
xlsform-note-left_out = Row { $row } (“{ $name }”): “{ $value }” is not a question a drawing can be asked; left out.
xlsform-note-repeat = Row { $row } (“{ $name }”): a repeated group; its questions are asked once a drawing.
xlsform-note-no_name = Row { $row }: a question without a name; left out.
xlsform-note-too_many = Row { $row } (“{ $name }”): a symbol asks at most { $value } questions; this one is left out.
xlsform-note-renamed = Row { $row }: “{ $name }” is now called “{ $value }” (only a-z, 0-9 and _).
xlsform-note-no_list = Row { $row } (“{ $name }”): the “choices” sheet has no list “{ $value }”; left out.
xlsform-note-too_many_options = Row { $row } (“{ $name }”): the first { $value } options are kept.
xlsform-note-constraint = Row { $row } (“{ $name }”): only the minimum and maximum of the constraint were read.
xlsform-note-condition = Row { $row } (“{ $name }”): the condition “{ $value }” is not one Trama reads (an earlier answer equal to one value); the question is always asked.
photo-add = Add a photo
photo-full = A drawing takes at most { $count } photos and voice notes.
photo-chosen = Chosen photo { $n }
photo-remove = Remove photo { $n }
photo-not_kept = This phone has no room to keep that photo.
photo-named = Photo { $n } of { $count }: { $title }
photo-pending =
    { $count ->
        [one] Offline: 1 photo or voice note is waiting to be sent. Do not close the page.
       *[other] Offline: { $count } photos and voice notes are waiting to be sent. Do not close the page.
    }
photo-waiting =
    { $count ->
        [one] 1 photo or voice note is waiting to be sent.
       *[other] { $count } photos and voice notes are waiting to be sent.
    }
photo-refused = A photo or voice note was not kept: { $detail }
photo-remove_named = Remove { $name }
photo-remove_confirm = Remove this photo? This cannot be undone.
voice-record = Record a voice note
voice-stop = Stop the note ({ $time })
voice-file = Choose a voice note
voice-chosen = Voice note { $n }
voice-remove = Remove voice note { $n }
voice-named = Voice note { $n } of { $count } ({ $time }): { $title }
voice-no_microphone = The phone did not allow the microphone: you can choose a note recorded with another app.
draw-leave_unsent =
    { $count ->
        [one] Something you drew has not been sent yet and is lost if you leave. Leave anyway?
       *[other] { $count } things you drew have not been sent yet and are lost if you leave. Leave anyway?
    }
photo-held =
    { $count ->
        [one] 1 photo or voice note could not be sent (the workshop was closed or your session ended): it is tried again when the workshop is open.
       *[other] { $count } photos and voice notes could not be sent (the workshop was closed or your session ended): they are tried again when the workshop is open.
    }
draw-comment_by = comment by { $who }
draw-comment_files_not_sent = The comment was saved, but a photo or voice note could not be sent.
problem-code-attachment-removed = That photo or voice note was removed from the drawing: it is not kept again.
draw-comment_attach = Add a photo or voice note to the comment

## Printed maps (PDF)
print-sheet = Sheet { $sheet } of { $sheets } · Scale 1:{ $scale }
print-legend = Legend
print-join = To join from a phone
print-notes = The table's notes
print-masked = Approximate area of a sensitive place
print-title = Print the map (PDF)
print-hint = For the paper table: the area with its basemap, the grid, the legend and the code to join, on one sheet or several to tape together. Each sheet carries corner marks and its code, and the PDF is georeferenced (QGIS opens it in place).
print-paper = Paper
print-orientation = Orientation
print-landscape = Landscape
print-portrait = Portrait
print-sheets = Sheets (across × down)
print-columns = Sheets across
print-rows = Sheets down
print-scale = Scale 1:
print-scale_fit = whatever fits
print-drawings = With the drawings made so far (sensitive ones as an approximate area)
print-with_notes = With half a sheet for notes
print-make = Make the PDF
print-working = Making sheet { $done } of { $sheets }…
print-ready = Ready: { $sheets } sheets at 1:{ $scale }.
print-download = Download the PDF
print-failed = The PDF could not be made: { $detail }
print-zone = Priority zones
print-result = A result for the community: counts, confirmed priority zones and a text, no marks to bring it back
print-text = Text for the community
print-sensitive = Sensitive places
print-sensitive_masked = As an approximate area
print-sensitive_omitted = Left off the map
