/** Main-thread tasks over 50 ms (the browser's long tasks) since `observeLongTasks` or the last `reset`. */
export interface LongTasks {
  count: number;
  /** Duration of the longest, ms (0 when none). */
  longest: number;
  /** The longest ones' start times (`performance.now()` clock) and durations, longest first, at most 5. */
  worst: { start: number; duration: number }[];
  reset(): void;
}

/**
 * Counts the page's long tasks with a `PerformanceObserver` (Chromium reports those over 50 ms): what
 * shows that training never blocks the page. Where the browser has no long-task entries, counts stay 0.
 */
export function observeLongTasks(): LongTasks {
  const tasks: LongTasks = {
    count: 0,
    longest: 0,
    worst: [],
    reset() {
      tasks.count = 0;
      tasks.longest = 0;
      tasks.worst = [];
    },
  };
  if (!PerformanceObserver.supportedEntryTypes?.includes('longtask')) return tasks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      tasks.count++;
      tasks.longest = Math.max(tasks.longest, entry.duration);
      tasks.worst.push({ start: entry.startTime, duration: entry.duration });
      tasks.worst = tasks.worst.sort((a, b) => b.duration - a.duration).slice(0, 5);
    }
  }).observe({ type: 'longtask' });
  return tasks;
}
