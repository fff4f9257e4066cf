// `npm run tfjs-gradients`: writes src/backend/tfjs/gradients.generated.cjs
// (TensorFlow.js's gradient registrations, see tools/tfjs/gradients-file.ts).
// Run it after upgrading @tensorflow/tfjs-core; test/tfjs-gradients.test.ts
// fails while the checked-in file is stale.
//   npx tsx tools/tfjs-gradients.ts [--check]
import { GRADIENTS_FILE, gradientsFileText } from './tfjs/gradients-file.ts';
import { writeGenerated } from './write-generated.ts';

writeGenerated({ [GRADIENTS_FILE]: gradientsFileText() }, 'npm run tfjs-gradients');
