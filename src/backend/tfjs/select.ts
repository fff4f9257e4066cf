// Choosing and initialising a TensorFlow.js backend: `tensorflow`
// (tfjs-node-gpu, then tfjs-node: optional dependencies that only install
// where libtensorflow can be downloaded), `wasm` (the embedded default), `cpu`
// (pure JS). `auto` takes the first that loads. Capability patches are
// applied here and reported, so a result says what ran.
import { UserError } from '../../user-error.ts';
import { BACKEND_CHOICES, type BackendChoice, type BackendInfo } from '../run-backends.ts';
import { BUNDLED, bundleFolder, packageVersion } from '../runtime-files.ts';
import { isInstalled, TENSORFLOW_MISSING } from './installed.ts';
import { supplyConv2dBackpropFilter } from './patches/conv2d-backprop-filter.ts';
import { tf } from './tf.ts';
import { registerFillBasedReductionGradients } from './patches/reduction-gradients.ts';
import { cloneSavedTensorsDirectly } from './patches/saved-tensor-clones.ts';
import { shareIdentityBuffers } from './patches/shared-identity.ts';
import { patchTransposedMatMul } from './patches/transposed-matmul.ts';

export { BACKEND_CHOICES, type BackendChoice, type BackendInfo };

async function loadTensorflow(): Promise<{ pkg: string; gpu: boolean } | null> {
  // Without this, TensorFlow reserves nearly all GPU memory up front and
  // nvidia-smi reports the reservation, not what training uses.
  process.env['TF_FORCE_GPU_ALLOW_GROWTH'] ??= 'true';
  for (const [pkg, gpu] of [['@tensorflow/tfjs-node-gpu', true], ['@tensorflow/tfjs-node', false]] as const) {
    if (!isInstalled(pkg)) continue;
    try {
      await import(pkg);
      return { pkg, gpu };
    } catch (err) {
      // Installed but unusable (no libtensorflow, wrong CUDA): try the next.
      process.emitWarning(`${pkg} is installed but did not load: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  return null;
}

async function activate(name: BackendInfo['name']): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new UserError(`backend '${name}' failed to initialise`);
  await tf.ready();
}

/** Loads, initialises and patches a backend; a named one that is missing is a UserError. */
export async function initBackend(requested: BackendChoice): Promise<BackendInfo> {
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new UserError(`unknown backend '${requested}': use one of ${BACKEND_CHOICES.join(', ')}`);
  }
  let name: BackendInfo['name'];
  let pkg: string;
  let gpu = false;
  if (requested === 'tensorflow' || requested === 'auto') {
    const loaded = await loadTensorflow();
    if (loaded) {
      name = 'tensorflow';
      pkg = loaded.pkg;
      gpu = loaded.gpu;
    } else if (requested === 'tensorflow') {
      throw new UserError(TENSORFLOW_MISSING);
    } else {
      name = 'wasm';
      pkg = '@tensorflow/tfjs-backend-wasm';
    }
  } else if (requested === 'wasm') {
    name = 'wasm';
    pkg = '@tensorflow/tfjs-backend-wasm';
  } else {
    name = 'cpu';
    pkg = '@tensorflow/tfjs-backend-cpu';
    // The cpu backend greets Node users with a banner on stdout unless testing.
    tf.env().set('IS_TEST', true);
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The bundle carries the .wasm binaries beside itself, not in node_modules
    // (and imports the package's CommonJS build: its exports under `default`).
    if (BUNDLED) (wasm.setWasmPaths ?? (wasm as unknown as { default: typeof wasm }).default.setWasmPaths)(bundleFolder());
  }
  registerFillBasedReductionGradients();
  await activate(name);

  const patches: string[] = [];
  if (supplyConv2dBackpropFilter(name)) patches.push('Conv2DBackpropFilter (from Conv2D)');
  // MOBIUS_WASM_PATCHES=0 measures the wasm backend as it ships.
  if (name === 'wasm' && process.env['MOBIUS_WASM_PATCHES'] !== '0') {
    if (patchTransposedMatMul(name)) patches.push('BatchMatMul (explicit transposes)');
    if (shareIdentityBuffers(name)) patches.push('Identity (shares the buffer)');
    if (cloneSavedTensorsDirectly()) patches.push('saved tensors (cloned without an engine op)');
  }
  return { requested, name, package: pkg, version: packageVersion(pkg) ?? 'unknown', gpu, patches };
}
