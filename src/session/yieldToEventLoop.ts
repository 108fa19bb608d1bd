/**
 * A message-channel hop, not setTimeout(0) (clamped to 4 ms once nested): lets input and
 * rendering in between scripted steps without idling.
 */
const channel = typeof MessageChannel !== 'undefined' ? new MessageChannel() : null;
const waiting: (() => void)[] = [];
if (channel) channel.port1.onmessage = () => waiting.shift()?.();
export function yieldToEventLoop(): Promise<void> {
  return new Promise((r) => {
    if (!channel) return setTimeout(r, 0);
    waiting.push(r);
    channel.port2.postMessage(0);
  });
}
