/** A live line chart (uPlot) that follows its container's width and redraws on every render. */
import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import type { VNode } from 'preact';
import uPlot from 'uplot';

export interface ChartSeries {
  readonly label: string;
  readonly color: string;
}

interface ChartProps {
  readonly title: string;
  readonly testid: string;
  readonly series: readonly ChartSeries[];
  /** `[x (epoch seconds), y per series…]`; null values leave a gap. */
  readonly data: uPlot.AlignedData;
  readonly format: (v: number) => string;
  /** The y range for the data's min and max; by default from 0 to a little above the max. */
  readonly range?: (min: number, max: number) => uPlot.Range.MinMax;
}

const HEIGHT = 150;
const AXIS = { stroke: '#6b7280', font: '11px system-ui, sans-serif', grid: { stroke: '#eef0f4', width: 1 }, ticks: { show: false } };

const clock = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });

function zeroBased(_min: number, max: number): uPlot.Range.MinMax {
  return [0, max > 0 ? max * 1.15 : 1];
}

function options(props: ChartProps, width: number): uPlot.Options {
  const range = props.range ?? zeroBased;
  return {
    width,
    height: HEIGHT,
    legend: { show: false },
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => range(min ?? 0, max ?? 0) } },
    axes: [
      { ...AXIS, space: 80, size: 30, values: (_u, splits) => splits.map((t) => clock.format(t * 1000)) },
      { ...AXIS, size: 48, values: (_u, splits) => splits.map((v) => props.format(v)) },
    ],
    series: [
      {},
      ...props.series.map((s) => ({
        label: s.label,
        stroke: s.color,
        width: 2,
        fill: props.series.length === 1 ? `${s.color}1a` : undefined,
        points: { show: false },
        spanGaps: false,
      })),
    ],
  };
}

export function Chart(props: ChartProps): VNode {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const chart = new uPlot(options(props, el.clientWidth), props.data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => chart.setSize({ width: el.clientWidth, height: HEIGHT }));
    resize.observe(el);
    return () => { resize.disconnect(); chart.destroy(); plot.current = null; };
  }, []);

  // The history arrays grow in place, so hand uPlot the data again on every render.
  useEffect(() => { plot.current?.setData(props.data); });

  return html`<figure class="card chart" data-testid=${props.testid}>
    <figcaption>
      <span class="chart-title">${props.title}</span>
      <span class="legend">${props.series.map((s) => html`<span><i style=${`background:${s.color}`}></i>${s.label}</span>`)}</span>
    </figcaption>
    <div class="plot" ref=${host}></div>
  </figure>`;
}
