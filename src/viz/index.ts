// Pictures (PNG through src/io/png.ts): re-exports only.
export { Canvas, type Rgb } from './canvas.js';
export { categoryColor } from './colors.js';
export { imageComparison, imageGrid, type ComparisonRow, type ImageGridOptions } from './image-grid.js';
export { lineChart, type LineChartOptions, type LineSeries } from './line-chart.js';
export { scatterPlot, type ScatterPlotOptions } from './scatter-plot.js';
