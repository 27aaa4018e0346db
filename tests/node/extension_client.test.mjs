// Runme's VS Code extension talks to the AI service with this client: @connectrpc/connect-node's
// createConnectTransport({httpVersion: '2', baseUrl: runme.aiBaseURL}), binary protobuf by default.
// This test does the same against a real `waypost serve` whose AI base URL (with the token in the
// path) is in WAYPOST_AI_BASE_URL. It writes what it logged to WAYPOST_NODE_REPORT, so the Python
// side can look for it in the event log and the learner's examples.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'

import { create } from '@bufbuild/protobuf'
import { Code, ConnectError, createClient } from '@connectrpc/connect'
import { createConnectTransport } from '@connectrpc/connect-node'

import {
  AIService,
  FullContextSchema,
  GenerateCellsRequestSchema,
  LogEventSchema,
  LogEventType,
  LogEvent_ExecuteStatus,
  LogEventsRequestSchema,
  StreamGenerateRequestSchema,
  UpdateContextSchema,
} from './gen/foyle/v1alpha1/agent_pb.js'
import { CellKind, CellSchema, NotebookSchema } from './gen/runme/parser/v1/parser_pb.js'

const BASE_URL = process.env.WAYPOST_AI_BASE_URL // http://127.0.0.1:PORT/t/<token>/api
const SERVER = process.env.WAYPOST_URL // http://127.0.0.1:PORT
const TOKEN = process.env.WAYPOST_TOKEN
const REPORT = process.env.WAYPOST_NODE_REPORT
assert.ok(BASE_URL && SERVER && TOKEN && REPORT, 'WAYPOST_AI_BASE_URL, WAYPOST_URL, WAYPOST_TOKEN, WAYPOST_NODE_REPORT')

// exactly what the extension builds (ai/manager.ts: createDefaultTransport)
const client = createClient(AIService, createConnectTransport({ httpVersion: '2', baseUrl: BASE_URL }))

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/
let counter = 0
const newId = () => `01JEXT${String(++counter).padStart(20, '0')}`

const note = (value) => create(CellSchema, { kind: CellKind.MARKUP, value, languageId: 'markdown' })
const code = (value, id) =>
  create(CellSchema, { kind: CellKind.CODE, value, languageId: 'sh', metadata: { 'runme.dev/id': id } })
const notebook = (...cells) => create(NotebookSchema, { cells })

const LEARNED = {
  'kubectl get pods -n staging': [
    'List the pods in staging',
    'Show the pods running in staging',
    'Which pods are in staging?',
    'Check the staging pods',
    'Get pods for the staging namespace',
  ],
  'kubectl logs deploy/api -n staging --tail=100': [
    'Tail the api logs',
    'Show the last api log lines',
    'Read the logs of the api deployment',
    'What does the api log say?',
    'Print recent api logs',
  ],
}

const report = { executed: [], accepted: [], sessions: [] }

async function eventually(what, attempt, seconds = 30) {
  const deadline = Date.now() + seconds * 1000
  let last
  while (Date.now() < deadline) {
    last = await attempt()
    if (last) return last
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  assert.fail(`${what} did not happen within ${seconds}s (last: ${JSON.stringify(last)})`)
}

// A request stream the test feeds while reading answers, as the extension's PromiseIterator does.
class Requests {
  #queue = []
  #waiting = null
  #closed = false
  send(message) {
    if (this.#waiting) {
      this.#waiting({ value: message, done: false })
      this.#waiting = null
    } else this.#queue.push(message)
  }
  close() {
    this.#closed = true
    if (this.#waiting) this.#waiting({ value: undefined, done: true })
  }
  [Symbol.asyncIterator]() {
    return {
      next: () =>
        new Promise((resolve) => {
          if (this.#queue.length) resolve({ value: this.#queue.shift(), done: false })
          else if (this.#closed) resolve({ value: undefined, done: true })
          else this.#waiting = resolve
        }),
      return: () => Promise.resolve({ value: undefined, done: true }),
      throw: (err) => Promise.reject(err),
    }
  }
}

await test('LogEvents with executions, an acceptance and a session is accepted', async () => {
  const contextId = newId()
  const events = [create(LogEventSchema, { type: LogEventType.SESSION_START, contextId, eventId: newId() })]
  for (const [command, asks] of Object.entries(LEARNED)) {
    for (const ask of asks) {
      const id = newId()
      events.push(create(LogEventSchema, {
        type: LogEventType.EXECUTE,
        cells: [note(ask), code(command, id)],
        selectedId: id,
        selectedIndex: 1,
        contextId,
        eventId: newId(),
        executeStatus: LogEvent_ExecuteStatus.SUCCEEDED,
      }))
      report.executed.push({ id, command, ask })
    }
  }
  const acceptedId = newId()
  events.push(create(LogEventSchema, { type: LogEventType.ACCEPTED, selectedId: acceptedId, contextId, eventId: newId() }))
  events.push(create(LogEventSchema, { type: LogEventType.SESSION_END, contextId, eventId: newId() }))
  report.accepted.push(acceptedId)
  report.sessions.push(contextId)
  const reply = await client.logEvents(create(LogEventsRequestSchema, { events }))
  assert.ok(reply)
})

await test('GenerateCells returns cells with fresh ids once the executions are learned', async () => {
  const request = create(GenerateCellsRequestSchema, {
    notebook: notebook(note('# Ops'), note('List the pods in staging')),
    selectedIndex: 1,
  })
  const first = await eventually('a learned suggestion', async () => {
    const reply = await client.generateCells(request)
    return reply.cells.length ? reply : null
  })
  const second = await client.generateCells(request)
  const [cell] = first.cells
  assert.equal(cell.kind, CellKind.CODE)
  assert.match(cell.value, /kubectl get pods/)
  const id = cell.metadata.id
  assert.match(id, ULID)
  assert.equal(cell.metadata['runme.dev/id'], id)
  assert.ok(!report.executed.some((e) => e.id === id), 'a fresh id, not a learned cell id')
  assert.notEqual(second.cells[0].metadata.id, id, 'every answer gets new ids')
})

await test('StreamGenerate answers a context with ghost cells, then each update', async () => {
  const contextId = newId()
  const uri = 'file:///work/ops.md'
  const requests = new Requests()
  const answers = client.streamGenerate(requests)[Symbol.asyncIterator]()
  const next = async () => {
    const { value, done } = await answers.next()
    assert.ok(!done, 'the stream ended early')
    return value
  }

  requests.send(create(StreamGenerateRequestSchema, {
    contextId,
    request: {
      case: 'fullContext',
      value: create(FullContextSchema, {
        notebook: notebook(note('# Ops'), note('List the pods in staging'), note('Afterwards')),
        selected: 1,
        notebookUri: uri,
      }),
    },
  }))
  const first = await next()
  assert.equal(first.contextId, contextId)
  assert.equal(first.notebookUri, uri)
  assert.equal(first.insertAt, 2)
  assert.ok(first.cells.length >= 1, 'ghost cells for a learned request')
  assert.match(first.cells.at(-1).value, /kubectl get pods/)
  for (const cell of first.cells) {
    assert.equal(cell.metadata._ghostCell, 'true')
    assert.match(cell.metadata.id, ULID)
  }

  const update = (value) =>
    create(StreamGenerateRequestSchema, {
      contextId,
      request: { case: 'update', value: create(UpdateContextSchema, { cell: note(value) }) },
    })
  requests.send(update('Tail the api logs'))
  const second = await next()
  assert.equal(second.contextId, contextId)
  assert.equal(second.insertAt, 2)
  assert.match(second.cells.at(-1).value, /kubectl logs/)
  assert.notEqual(second.cells.at(-1).metadata.id, first.cells.at(-1).metadata.id)

  requests.send(update('zqx vvb wwplk'))
  const third = await next()
  assert.equal(third.contextId, contextId)
  assert.equal(third.cells.length, 0, 'nothing to suggest: an answer without cells clears the ghosts')

  requests.close()
  const end = await answers.next()
  assert.ok(end.done, 'the stream ends after the client closes its side')
})

await test('the JSON codec and HTTP/1.1 reach the same service', async () => {
  const request = create(GenerateCellsRequestSchema, {
    notebook: notebook(note('List the pods in staging')),
    selectedIndex: 0,
  })
  for (const options of [{ httpVersion: '2', useBinaryFormat: false }, { httpVersion: '1.1' }]) {
    const other = createClient(AIService, createConnectTransport({ ...options, baseUrl: BASE_URL }))
    const reply = await other.generateCells(request)
    assert.match(reply.cells.at(-1).value, /kubectl get pods/, JSON.stringify(options))
  }
})

await test('without the token in the path or a header, every call is unauthenticated', async () => {
  const expectUnauthenticated = async (promise) => {
    await assert.rejects(promise, (err) => {
      assert.ok(err instanceof ConnectError, String(err))
      assert.equal(err.code, Code.Unauthenticated)
      return true
    })
  }
  for (const baseUrl of [`${SERVER}/api`, `${SERVER}/t/not-the-token/api`]) {
    const stranger = createClient(AIService, createConnectTransport({ httpVersion: '2', baseUrl }))
    await expectUnauthenticated(stranger.generateCells(create(GenerateCellsRequestSchema, {
      notebook: notebook(note('List the pods in staging')),
      selectedIndex: 0,
    })))
    await expectUnauthenticated(stranger.logEvents(create(LogEventsRequestSchema, {
      events: [create(LogEventSchema, { type: LogEventType.ACCEPTED, selectedId: 'STRANGER', eventId: newId() })],
    })))
    const requests = new Requests()
    requests.send(create(StreamGenerateRequestSchema, {
      contextId: newId(),
      request: {
        case: 'fullContext',
        value: create(FullContextSchema, { notebook: notebook(note('hi')), selected: 0, notebookUri: 'file:///x.md' }),
      },
    }))
    requests.close()
    await expectUnauthenticated((async () => {
      for await (const _ of stranger.streamGenerate(requests)) { /* nothing may arrive */ }
    })())
  }
  const withHeader = createClient(AIService, createConnectTransport({
    httpVersion: '2',
    baseUrl: `${SERVER}/api`,
    interceptors: [(next) => (req) => { req.header.set('authorization', `Bearer ${TOKEN}`); return next(req) }],
  }))
  const status = await withHeader.status({})
  assert.ok(status)
})

writeFileSync(REPORT, JSON.stringify(report))
