/**
 * Baseline "receive": the least a Node server must do to accept an upload, i.e. node:http plus
 * the same multipart parser lingo-server uses, with every byte discarded. lingo-server's upload
 * path is this plus validation, hashing, a durable write and a row; the ratio shows their cost.
 */
import { announce, flag } from './args.js';
import { uploadServer } from './upload-server.js';

const reply = Buffer.from(JSON.stringify({ code: 0, msg: 'success', data: { file_token: 'boxbcBaselineReceive0000000' } }));

const server = uploadServer(reply, false, (_chunks, done) => done(null));

server.listen(Number(flag('port', '0')), '127.0.0.1', () => announce(server));
