/**
 * @module
 * Small uPlot plugins drawn on the canvas after the series: vertical markers at given x values
 * (change points) and horizontal reference lines at given y values (PSI's 0.1 and 0.25).
 */
import type uPlot from "uplot";

export interface Marker {
  x: number;
  label?: string;
}

/** Dashed vertical lines with a small label at the top, for change points or a drift start. */
export function verticalMarkers(markers: readonly Marker[], color = "#dc2626"): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.strokeStyle = color;
          ctx.fillStyle = color;
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          for (const marker of markers) {
            const x = Math.round(u.valToPos(marker.x, "x", true));
            if (x < bbox.left || x > bbox.left + bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, bbox.top);
            ctx.lineTo(x, bbox.top + bbox.height);
            ctx.stroke();
            if (marker.label) {
              const textWidth = ctx.measureText(marker.label).width;
              // Flip the label left of the line near the right edge so it stays inside.
              const left = x + 4 + textWidth > bbox.left + bbox.width ? x - 4 - textWidth : x + 4;
              ctx.fillText(marker.label, left, bbox.top + 12 * devicePixelRatio);
            }
          }
          ctx.restore();
        },
      ],
    },
  };
}

export interface Threshold {
  y: number;
  color: string;
  label: string;
}

/** Horizontal lines across the plot, each with its label at the right end. */
export function horizontalLines(lines: readonly Threshold[], scale = "y"): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          ctx.lineWidth = 1.25 * devicePixelRatio;
          ctx.setLineDash([6 * devicePixelRatio, 4 * devicePixelRatio]);
          ctx.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
          ctx.textAlign = "right";
          for (const line of lines) {
            const y = Math.round(u.valToPos(line.y, scale, true));
            if (y < bbox.top || y > bbox.top + bbox.height) continue;
            ctx.strokeStyle = line.color;
            ctx.fillStyle = line.color;
            ctx.beginPath();
            ctx.moveTo(bbox.left, y);
            ctx.lineTo(bbox.left + bbox.width, y);
            ctx.stroke();
            ctx.fillText(line.label, bbox.left + bbox.width - 4, y - 4 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}
