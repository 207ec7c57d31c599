/** One line of a chart: its name in the legend, colour, points `[x, y]`, and which y axis it uses. */
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
  /** `left`: loss (from 0 to its maximum); `right`: accuracy, 0–1. */
  axis: 'left' | 'right';
  dashed?: boolean;
}

const MARGIN = { left: 40, right: 36, top: 18, bottom: 20 };

/**
 * Draws `series` on `canvas`: loss on the left axis, accuracy (0–1) on the right, x from 0 to the largest
 * x (or `xEnd`). A few hundred points redraw in well under a millisecond, so the page redraws on every batch.
 */
export function drawChart(
  canvas: HTMLCanvasElement,
  series: Series[],
  xLabel: string,
  /** The x axis's end, at least: the run's epoch count, so the first epoch's points are not at the edge. */
  xEnd = 1,
): void {
  const context = canvas.getContext('2d')!;
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  context.font = '11px sans-serif';
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const all = series.flatMap((s) => s.points);
  const xLast = Math.max(0, ...all.map(([x]) => x));
  const xMax = Math.max(xEnd, xLast);
  const lossMax = Math.max(
    1e-6,
    ...series.filter((s) => s.axis === 'left').flatMap((s) => s.points.map(([, y]) => y)),
  );
  context.strokeStyle = '#999';
  context.strokeRect(MARGIN.left, MARGIN.top, plotW, plotH);
  context.fillStyle = '#444';
  context.fillText(lossMax.toPrecision(2), 2, MARGIN.top + 8);
  context.fillText('0', MARGIN.left - 12, MARGIN.top + plotH);
  context.fillText('100%', width - MARGIN.right + 3, MARGIN.top + 8);
  context.fillText(`${xLabel} ${xLast}`, width - MARGIN.right - 60, height - 4);
  let legendX = MARGIN.left;
  for (const s of series) {
    const yMax = s.axis === 'left' ? lossMax : 1;
    context.strokeStyle = s.color;
    context.setLineDash(s.dashed ? [4, 3] : []);
    const at = ([x, y]: [number, number]) =>
      [MARGIN.left + (x / xMax) * plotW, MARGIN.top + plotH - (Math.min(y, yMax) / yMax) * plotH] as const;
    context.beginPath();
    s.points.forEach((point, i) => {
      if (i === 0) context.moveTo(...at(point));
      else context.lineTo(...at(point));
    });
    context.stroke();
    context.setLineDash([]);
    context.fillStyle = s.color;
    // Dots where points are few (per-epoch curves), so one epoch shows.
    if (s.points.length <= 50)
      for (const point of s.points) {
        context.beginPath();
        context.arc(...at(point), 2.5, 0, 2 * Math.PI);
        context.fill();
      }
    context.fillText(s.name, legendX, 12);
    legendX += context.measureText(s.name).width + 12;
  }
}
