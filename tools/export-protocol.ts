// `npm run protocol`: writes what the Python side needs from the protocol
// room, generated from the TypeScript definitions so that nothing is written
// twice (test/protocol.e2e.test.ts fails when a checked-in file is stale):
//   python/mobius_bench_torch/run_message.schema.json   the torch run message's JSON Schema
//   python/mobius_bench_torch/run_message_check.py      plain Python that validates a message against it
//   python/tests/protocol_cases.json                    UNet layouts, modes, group rules for the pytest suite
//   npx tsx tools/export-protocol.ts [--check]
import { protocolFiles } from './protocol/protocol-files.ts';
import { writeGenerated } from './write-generated.ts';

writeGenerated(protocolFiles(), 'npm run protocol');
