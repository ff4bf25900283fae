export { ensureVenv, basePython, cacheRoot, venvDirFor, type Venv } from './venv.js';
export { runPython, runPythonRaw, type RunPythonOptions, type RunPythonRaw } from './python.js';
export { startMlflowServer, type MlflowServer, type MlflowServerOptions, type MlflowStore } from './mlflow-server.js';
export { startPostgres, postgresBinDir, type PostgresCluster, type PostgresOptions } from './postgres.js';
export { startTensorBoard, type TensorBoard, type TensorBoardOptions } from './tensorboard.js';
export { ensureChromium, launchChromium, type Browser, type Chromium, type Page } from './chromium.js';
export {
  startFaultProxy,
  type FaultProxy,
  type FaultProxyOptions,
  type FaultProxyStats,
  type FaultRule,
  type Faults,
} from './fault-proxy.js';
export { freePort } from './ports.js';
export { seededRandom } from './random.js';
export { allBackendsOptions } from './all-backends.js';
export { metricCounts, sqliteMetricCounts, type RunRowCounts } from './mlflow-metric-counts.js';
export {
  checkMlflowLoad,
  loadBudgetMs,
  runMlflowLoad,
  type LoadRestart,
  type LoadWriterExit,
  type LoadWriterReport,
  type MlflowLoadCheck,
  type MlflowLoadOptions,
  type MlflowLoadRun,
} from './mlflow-load.js';
export { runBuiltBin } from './built-bin.js';
