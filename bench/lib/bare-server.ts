import Fastify from 'fastify';

// The baseline: bare fastify answering the same path with the same JSON document, nothing else.
const [, , port, path, file] = process.argv;
const { readFileSync } = await import('node:fs');
const body = readFileSync(file!, 'utf8');
const app = Fastify({ logger: false });
app.get(path!, async (_req, reply) => reply.type('application/json; charset=utf-8').send(body));
await app.listen({ host: '127.0.0.1', port: Number(port) });
process.send?.('ready');
