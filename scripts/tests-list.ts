// pnpm tests:list [--all]: list every project's tests into its test/tests.json.
import { runTestsList } from '@lessons/course/tests-list';

process.exitCode = await runTestsList(process.argv.slice(2));
