// Activates the meta backend, standing for wasm: the same kernel patches as
// initBackend('wasm') applies, so every buffer wasm's tracker would count is
// counted here too.
import { supplyConv2dBackpropFilter } from '../patches/conv2d-backprop-filter.ts';
import { registerFillBasedReductionGradients } from '../patches/reduction-gradients.ts';
import { tf } from '../tf.ts';
import { patchTransposedMatMul } from '../patches/transposed-matmul.ts';
import { cloneSavedTensorsDirectly } from '../patches/saved-tensor-clones.ts';
import { registerMetaKernels } from './kernels.ts';
import { MetaBackend } from './meta-backend.ts';

export const META = 'meta';

export async function initMetaBackend(): Promise<MetaBackend> {
  registerFillBasedReductionGradients();
  if (tf.findBackend(META) == null) {
    // Negative priority: never chosen unless asked for by name.
    tf.registerBackend(META, () => new MetaBackend(), -1);
    registerMetaKernels(META);
    supplyConv2dBackpropFilter(META);
    if (process.env['MOBIUS_WASM_PATCHES'] !== '0') {
      patchTransposedMatMul(META);
      cloneSavedTensorsDirectly();
    }
  }
  await tf.setBackend(META);
  await tf.ready();
  return tf.backend() as MetaBackend;
}
