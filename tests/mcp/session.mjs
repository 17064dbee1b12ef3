// session.mjs: a session with bus-mcp through the official MCP
// TypeScript SDK client, as an agent's harness would hold it.
//
// usage: node session.mjs BUS-MCP STATION OTHER-STATION QUESTION-ID OUT
// (STATION an absolute path: it also finds the station's processes)
//
// bus-mcp serves STATION (agent a); OTHER-STATION (agent b) has sent a
// the message QUESTION-ID.  Prints TAP; writes what the shell test
// checks on the hub to OUT, one "name value" a line.  Exits 1 if any
// check failed.

import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const [busMcp, station, other, question, outFile] = process.argv.slice(2);
const out = [];
let count = 0, failed = 0;

function check(title, ok, detail) {
	count++;
	if (ok) {
		console.log(`ok ${count} - ${title}`);
	} else {
		failed++;
		console.log(`not ok ${count} - ${title}`);
		if (detail !== undefined)
			console.log(`# ${JSON.stringify(detail)}`);
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A tool's result, or the error it was rejected with.
async function call(client, name, args, options) {
	try {
		return await client.callTool({ name, arguments: args }, undefined,
		    options);
	} catch (e) {
		return { rejected: e };
	}
}

const transport = new StdioClientTransport({
	command: busMcp,
	args: ['-C', station],
	env: process.env,
	stderr: 'pipe',
});
let stderr = '';
transport.stderr.on('data', (d) => { stderr += d; });
const client = new Client({ name: 'git-bus-tests', version: '1.0.0' });

await client.connect(transport);
check('initialize: the server says who it is',
    client.getServerVersion()?.name === 'bus-mcp',
    client.getServerVersion());
check('initialize: it offers tools',
    client.getServerCapabilities()?.tools !== undefined,
    client.getServerCapabilities());
check('ping', JSON.stringify(await client.ping()) === '{}');

const { tools } = await client.listTools();
const names = tools.map((t) => t.name).sort();
check('tools/list: the six tools',
    JSON.stringify(names) === JSON.stringify(['bus_ack', 'bus_recv',
    'bus_send', 'bus_show', 'bus_status', 'bus_wait']), names);
check('tools/list: each with a description and object schemas in and out',
    tools.every((t) => t.description?.length > 20 &&
    t.inputSchema?.type === 'object' && t.outputSchema?.type === 'object'),
    tools.map((t) => [t.name, t.inputSchema?.type, t.outputSchema?.type]));

// send: the client has the output schemas now, and checks every result
let r = await call(client, 'bus_send', { to: 'b', body: 'hello from the SDK',
    fields: { subject: 'sdk' } });
const sent = r.structuredContent?.ids?.[0];
check('bus_send: one id, status 0, the id in the text too',
    !r.isError && r.structuredContent?.ids?.length === 1 &&
    r.structuredContent.status === 0 && r.content?.[0]?.text?.includes(sent),
    r);
out.push(`sent ${sent}`);

r = await call(client, 'bus_recv', {});
const got = r.structuredContent?.messages ?? [];
check('bus_recv: the question from b, as its file holds it',
    !r.isError && got.length === 1 && got[0].id === question &&
    got[0].from === 'b' && r.content?.[0]?.text?.includes(question), r);

r = await call(client, 'bus_ack', { ids: [question], reply: true });
const reply = r.structuredContent?.replies?.[0];
check('bus_ack with reply: acked, and one reply sent',
    !r.isError && r.structuredContent?.acked?.includes(question) &&
    typeof reply === 'string', r);
out.push(`reply ${reply}`);

r = await call(client, 'bus_status', { ids: [sent] });
check('bus_status: the note to b is delivered',
    !r.isError && r.structuredContent?.messages?.[0]?.id === sent &&
    r.structuredContent.messages[0].state === 'delivered', r);

r = await call(client, 'bus_show', { id: reply, thread: true });
check('bus_show with thread: the question, then the reply',
    !r.isError && JSON.stringify((r.structuredContent?.messages ?? [])
    .map((m) => m.id)) === JSON.stringify([question, reply]), r);

// a wait, with a message sent from the other station in the middle
const start = Date.now();
const waiting = call(client, 'bus_wait', { timeout: 120 });
await sleep(1500);
check('ping while bus_wait runs', JSON.stringify(await client.ping()) === '{}');
const send = spawnSync('bus-send', ['-C', other, 'a', 'sent mid-wait'],
    { encoding: 'utf8' });
r = await waiting;
const waited = r;
const arrived = (r.structuredContent?.messages ?? []).map((m) => m.body);
check('bus_wait: returns the message that arrived while it waited',
    send.status === 0 && !r.isError && arrived.includes('sent mid-wait') &&
    r.structuredContent.timed_out === false && Date.now() - start < 60000,
    { send: send.stderr, r });

r = await call(client, 'bus_send', { to: 'nosuch', body: 'x' });
check('a tool that fails: isError, with its message, the server alive',
    r.isError === true && r.content?.[0]?.text?.includes('nosuch'), r);

r = await call(client, 'bus_send', { to: 'Not An Agent', body: 'x' });
check('arguments that fail validation: isError, not a protocol error',
    r.isError === true && r.rejected === undefined, r);

// the wait's message read, so that the next wait has nothing to take
const midWait = (waited.structuredContent?.messages ?? [])
    .filter((m) => m.body === 'sent mid-wait').map((m) => m.id);
r = await call(client, 'bus_ack', { ids: midWait });
check('bus_ack without reply: acked, no reply',
    !r.isError && r.structuredContent?.acked?.length === 1 &&
    (r.structuredContent.replies ?? []).length === 0, r);

// cancellation: the client sends notifications/cancelled
const ac = new AbortController();
const long = call(client, 'bus_wait', { timeout: 3000 }, { signal: ac.signal });
await sleep(1000);
ac.abort();
r = await long;
check('a cancelled bus_wait rejects at the client with -32001',
    r.rejected?.code === -32001, String(r.rejected));
await sleep(500);
check('the server lives on after the cancellation',
    JSON.stringify(await client.ping()) === '{}');
const left = spawnSync('pgrep', ['-f', `bus-recv.*${station}`],
    { encoding: 'utf8' });
check('the cancelled wait\'s bus-recv is gone', left.status === 1,
    left.stdout);
r = await call(client, 'bus_recv', { from: 'b' });
check('and answers the next call',
    !r.isError && Array.isArray(r.structuredContent?.messages), r);

await client.close();
check('stderr holds no protocol message', !stderr.includes('"jsonrpc"'),
    stderr);
writeFileSync(outFile, out.join('\n') + '\n');
console.log(`1..${count}`);
process.exit(failed ? 1 : 0);
