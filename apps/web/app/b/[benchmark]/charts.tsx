'use client';
import {
  Bar,
  BarChart,
  CartesianGrid,
  ErrorBar,
  LabelList,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { fmt, type Unit } from '../../../lib/format';

interface ScoreRow {
  label: string;
  value: number;
  low: number;
  high: number;
}

/** Score per entry with its 95% interval as whiskers (bars in board order). */
export function ScoreChart({ rows, unit }: { rows: ScoreRow[]; unit: string }) {
  const data = rows.map((r) => ({ ...r, err: [r.value - r.low, r.high - r.value] as [number, number] }));
  const lo = Math.min(...rows.map((r) => r.low));
  const hi = Math.max(...rows.map((r) => r.high));
  const pad = Math.max(1e-9, (hi - lo) * 0.15);
  return (
    <figure className="chart" aria-label="Scores with 95% confidence intervals" style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 16, right: 16, bottom: 48, left: 8 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" interval={0} angle={-20} textAnchor="end" height={60} tick={{ fontSize: 12 }} />
          <YAxis
            domain={[Math.max(0, Math.floor(lo - pad)), Math.ceil(hi + pad)]}
            allowDecimals={false}
            tickFormatter={(v: number) => fmt(v, unit as Unit)}
          />
          <Tooltip
            formatter={(_v, _n, item) => {
              const r = item.payload as ScoreRow;
              return [
                `${fmt(r.value, unit as Unit)} [${fmt(r.low, unit as Unit)}, ${fmt(r.high, unit as Unit)}]`,
                'score [95% CI]',
              ];
            }}
          />
          <Bar dataKey="value" fill="#93c5fd" isAnimationActive={false}>
            <ErrorBar
              dataKey="err"
              width={8}
              strokeWidth={2}
              stroke="#1e3a8a"
              direction="y"
              isAnimationActive={false}
            />
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </figure>
  );
}

interface SlopeRow {
  label: string;
  from: number;
  to: number;
}

/** Each entry's rank on two dataset versions joined by a line (rank 1 at the top). */
export function SlopeChart({ rows, from, to }: { rows: SlopeRow[]; from: string; to: string }) {
  const worst = Math.max(...rows.flatMap((r) => [r.from, r.to]));
  const colors = ['#1d4ed8', '#b91c1c', '#166534', '#92400e', '#6d28d9', '#0f766e', '#be185d', '#374151'];
  const data = [
    { version: from, ...Object.fromEntries(rows.map((r) => [r.label, r.from])) },
    { version: to, ...Object.fromEntries(rows.map((r) => [r.label, r.to])) },
  ];
  return (
    <figure className="chart" aria-label={`Rank changes from ${from} to ${to}`} style={{ margin: 0 }}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 16, right: 240, bottom: 8, left: 8 }}>
          <XAxis dataKey="version" padding={{ left: 30, right: 30 }} />
          <YAxis
            reversed
            domain={[1, worst]}
            allowDecimals={false}
            label={{ value: 'rank', angle: -90, position: 'insideLeft' }}
          />
          <Tooltip />
          {rows.map((r, i) => (
            <Line
              key={r.label}
              dataKey={r.label}
              stroke={colors[i % colors.length]}
              strokeWidth={2}
              isAnimationActive={false}
            >
              <LabelList
                dataKey={r.label}
                position="right"
                content={({ x, y, index }) =>
                  index === 1 ? (
                    <text x={Number(x) + 8} y={Number(y) + 4} fontSize={12} fill={colors[i % colors.length]}>
                      {r.label} ({r.from === r.to ? '=' : r.to < r.from ? `↑${r.from - r.to}` : `↓${r.to - r.from}`})
                    </text>
                  ) : null
                }
              />
            </Line>
          ))}
        </LineChart>
      </ResponsiveContainer>
      <figcaption className="small muted">{rows.map((r) => `${r.label}: ${r.from} → ${r.to}`).join(' · ')}</figcaption>
    </figure>
  );
}
