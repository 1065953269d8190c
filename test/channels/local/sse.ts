/** Reads a Server-Sent Events stream with fetch, the way the page's EventSource does. */
export interface EventStream {
  status: number;
  /** Resolves with the data of the first `message` event that matches, waiting at most `timeoutMs`. */
  next<T>(matches: (data: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): void;
}

export async function openEventStream(url: string): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  const events: { event: string; data: string }[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  const pump = async () => {
    if (response.body === null) return;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith("event:")) event = line.slice(6).trim();
          else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
        }
        if (data.length > 0) events.push({ event, data: data.join("\n") });
        end = buffer.indexOf("\n\n");
      }
      for (const wake of waiters) wake();
    }
  };
  pump().catch(() => undefined);
  return {
    status: response.status,
    next<T>(matches: (data: T) => boolean, timeoutMs = 5000) {
      return new Promise<T>((resolve, reject) => {
        let seen = 0;
        const check = () => {
          for (; seen < events.length; seen++) {
            const found = events[seen];
            if (found?.event !== "message") continue;
            const data = JSON.parse(found.data) as T;
            if (matches(data)) {
              waiters.delete(check);
              clearTimeout(timer);
              resolve(data);
              return;
            }
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching event within ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () => abort.abort(),
  };
}
