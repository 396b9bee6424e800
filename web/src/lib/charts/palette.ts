/** Series colours, distinguishable for the common colour-vision deficiencies (Okabe–Ito order). */
export const PALETTE = [
  "#0072b2",
  "#e69f00",
  "#009e73",
  "#cc79a7",
  "#56b4e9",
  "#d55e00",
  "#f0e442",
  "#000000",
  "#7f7f7f",
  "#8c564b",
] as const;

export const colour = (i: number): string => PALETTE[i % PALETTE.length] as string;

export const REFERENCE_COLOUR = "#64748b";
export const LATEST_COLOUR = "#2563eb";
export const DRIFT_COLOUR = "#dc2626";
export const WARN_COLOUR = "#d97706";
