import { parseCommand } from '../../src/cli/options.js';
import { explainCommand } from '../../src/cli/explain.js';
import { profileCommand } from '../../src/cli/profile.js';
import { gradcheckCommand } from '../../src/cli/gradcheck.js';
const cmds = { explain: explainCommand, profile: profileCommand, gradcheck: gradcheckCommand } as const;
const [name, ...rest] = process.argv.slice(2);
const c = (cmds as any)[name];
const args = parseCommand(c.name, c.options, rest, c.positionals);
const io = { stdout: process.stdout, stderr: process.stderr };
try { process.exitCode = await c.run(args, io); } catch (e) { console.error('ERR', (e as Error).message); process.exitCode = 1; }
