/**
 * Group commit: callers submit items and wait; items that arrive while a flush is running are
 * written together by the next flush, in one transaction. Under load, hundreds of requests share
 * one commit (one WAL fsync) instead of paying for one each, and each caller is still answered
 * only after its own row is durable. A flush may return one result per item (same order), which
 * its caller receives.
 */
export class GroupCommit<T, R = void> {
  private queue: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<R[] | void>,
    private readonly options: { maxBatch: number; concurrency: number },
  ) {}

  submit(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (this.scheduled || this.inFlight >= this.options.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    // Let the current turn of the event loop add whatever else is ready before flushing.
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run() {
    if (this.inFlight >= this.options.concurrency || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight++;
    try {
      const results = await this.flush(batch.map((b) => b.item));
      for (let i = 0; i < batch.length; i++) batch[i].resolve(results ? results[i] : (undefined as R));
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error);
      else await this.retryOneByOne(batch);
    } finally {
      this.inFlight--;
      this.schedule();
    }
  }

  /** One bad item (say, its agent was deleted meanwhile) must not fail its neighbours. */
  private async retryOneByOne(batch: typeof this.queue) {
    await Promise.all(
      batch.map(async (b) => {
        try {
          const results = await this.flush([b.item]);
          b.resolve(results ? results[0] : (undefined as R));
        } catch (error) {
          b.reject(error);
        }
      }),
    );
  }

  /** Waits until everything submitted so far is written (graceful shutdown). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0) await new Promise((r) => setTimeout(r, 5));
  }
}
