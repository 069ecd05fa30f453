//! Handing a long listing from the task that reads the database to the one that writes the
//! answer, in batches: one wake-up per batch instead of per row (on a virtual machine the
//! per-row wake-ups cost more than the rows), with memory bounded by the channel.

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use tokio::sync::mpsc;

use super::StoreResult;

/// Rows per batch at most; a batch holds what the database had ready, so the first rows
/// still go out as soon as they are read.
pub(super) const BATCH: usize = 256;
/// Batches in flight between the two tasks.
const BATCHES: usize = 8;

pub(super) type BatchSender<T> = mpsc::Sender<Vec<StoreResult<T>>>;

pub(super) fn channel<T>() -> (BatchSender<T>, mpsc::Receiver<Vec<StoreResult<T>>>) {
    mpsc::channel(BATCHES)
}

/// Sends `rows` on in batches until they end, one fails (sent, then the end), or the
/// receiver goes away (the client hung up).
pub(super) async fn forward<T>(rows: impl Stream<Item = StoreResult<T>>, sender: BatchSender<T>) {
    let mut batches = std::pin::pin!(rows.ready_chunks(BATCH));
    while let Some(mut batch) = batches.next().await {
        let failed = batch.iter().position(Result::is_err);
        if let Some(failed) = failed {
            batch.truncate(failed + 1);
            let _ = sender.send(batch).await;
            return;
        }
        if sender.send(batch).await.is_err() {
            return;
        }
    }
}

/// The rows `forward` sends, one by one again.
pub(super) fn receive<T: Send + 'static>(
    receiver: mpsc::Receiver<Vec<StoreResult<T>>>,
) -> BoxStream<'static, StoreResult<T>> {
    futures::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|batch| (batch, receiver))
    })
    .flat_map(futures::stream::iter)
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::StoreError;

    #[tokio::test]
    async fn rows_arrive_in_order_and_stop_after_a_failure() {
        let (sender, receiver) = channel::<u32>();
        let rows = (0..1000)
            .map(|i| {
                if i == 700 {
                    Err(StoreError::Conflict("broken row".into()))
                } else {
                    Ok(i)
                }
            })
            .collect::<Vec<_>>();
        tokio::spawn(forward(futures::stream::iter(rows), sender));
        let received: Vec<StoreResult<u32>> = receive(receiver).collect().await;
        assert_eq!(received.len(), 701);
        assert!(
            received[..700]
                .iter()
                .enumerate()
                .all(|(i, r)| matches!(r, Ok(v) if *v == i as u32))
        );
        assert!(received[700].is_err());
    }
}
