import type { Command } from 'commander';
import { withServerOptions } from './client-options.js';
import { downloadCommand, type DownloadOptions } from './download-command.js';
import { importCommand, type ImportOptions } from './import-command.js';
import { importColumns } from './import-rows.js';
import { processIo } from './progress.js';
import { uploadCommand, type UploadOptions } from './upload-command.js';

/** upload, download and import: the commands that talk to a running server over HTTP, as any app would. */
export function registerClientCommands(program: Command): void {
  withServerOptions(
    program
      .command('upload')
      .argument('<paths...>', 'image files, and folders to walk recursively (their hidden entries and symlinks are skipped)')
      .description('check images against the upload rules locally, then upload the rest; exit 1 if any was refused or failed'),
  )
    .option('--concurrency <n>', 'uploads at a time, 1-32', '4')
    .option('--manifest <file.json|file.csv>', 'record path, sha256 and file_token (or the error) of each file; files it lists as uploaded are skipped')
    .action((paths: string[], opts: UploadOptions) => uploadCommand(paths, opts, processIo()));

  withServerOptions(
    program
      .command('download')
      .argument('<file_tokens...>', 'file tokens')
      .description("save files under the server's names (Content-Disposition); exit 1 if any failed"),
  )
    .requiredOption('--out <dir>', 'folder to save into (created if missing)')
    .option('--force', 'overwrite files that exist')
    .option('--concurrency <n>', 'downloads at a time, 1-32', '4')
    .action((tokens: string[], opts: DownloadOptions) => downloadCommand(tokens, opts, processIo()));

  withServerOptions(
    program
      .command('import')
      .argument('<entries>', `entries.csv (columns ${importColumns.join(', ')}; aliases and images separated by |) or entries.jsonl`)
      .description('create or update glossary entries by outer_info, uploading their images first; exit 1 if any row was refused or failed'),
  )
    .option('--repo-id <id>', "repo of the entries created (default: the tenant's company-wide repo)")
    .action((file: string, opts: ImportOptions) => importCommand(file, opts, processIo()));
}
