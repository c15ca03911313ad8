import type { RequestFacts } from '../journal/journal.js'
import { answerFaulted } from './actions.js'
import { checkRule, type CheckedRule } from './check-rule.js'
import { markCloseAfterBody } from './connection-directive.js'
import type { FaultHandle, FaultKind, FaultRule, Faults, FaultTransport } from './fault-types.js'
import { seededRandom } from './prng.js'

/** Where a request goes in the API, for rules that match on kind or repository. */
export interface RequestTarget {
  /** The part of the API, or undefined for a path outside it. */
  kind?: FaultKind
  repository?: string
}

/**
 * The fault chosen for one request. The core answers through `answer`, records the answer, and
 * hands what it returns to the transport through `deliver`.
 */
export interface FaultPlan {
  /** The rule's name, for the journal. */
  readonly name: string
  /** The answer to send; `registry` is the registry's own handling of the request. */
  answer(request: Request, registry: () => Promise<Response>): Promise<Response>
  /** Notes the fault in the request's journal facts: its name, and the error of an answer it replaced. */
  note(facts: RequestFacts): void
  /** The answer as the transport takes it, marked for what only the transport can do. */
  deliver(response: Response): Response
}

/** `registry.faults`, plus the core's question: which fault, if any, applies to this request? */
export interface FaultInjector extends Faults {
  /** The first rule that fires for `request`, arrived through `transport`, as a plan; else undefined. */
  plan(request: Request, transport: string): FaultPlan | undefined
  /** Ends the delays in progress at once: the registry is closing. */
  close(): void
}

/** What the injector needs of the registry. */
export interface FaultInjectorOptions {
  /** The registry's transport option: with 'msw' or 'none' no request arrives through http. */
  transport: 'http' | 'msw' | 'none'
  /** The API kind and repository of a pathname (the route table's reading of it). */
  describe: (pathname: string) => RequestTarget
}

/**
 * Creates the fault rules of one registry.
 *
 * @example
 * const faults = createFaultInjector({ transport: 'none', describe: describeTarget })
 * faults.add({ kind: 'blob', status: 503, times: 1 })
 * faults.plan(request, 'fetch')?.name // 'fault-1'
 */
export function createFaultInjector(options: FaultInjectorOptions): FaultInjector {
  return new FaultRules(options)
}

class FaultRules implements FaultInjector {
  #rules: ActiveRule[] = []
  #added = 0
  #options: FaultInjectorOptions
  #reachable: ReadonlySet<FaultTransport>
  #closed = new AbortController()

  constructor(options: FaultInjectorOptions) {
    this.#options = options
    this.#reachable = new Set<FaultTransport>(
      options.transport === 'http' ? ['http', 'msw', 'dispatcher', 'fetch'] : ['msw', 'dispatcher', 'fetch'],
    )
  }

  add(rule: FaultRule): FaultHandle {
    const checked = checkRule(rule, {
      defaultName: `fault-${this.#added + 1}`,
      names: new Set(this.#rules.map((active) => active.name)),
      reachable: this.#reachable,
      unreachableReason: `the registry's transport is '${this.#options.transport}', which opens no socket`,
    })
    this.#added++
    const active = new ActiveRule(checked, (removed) => {
      this.#rules = this.#rules.filter((other) => other !== removed)
    })
    this.#rules = [...this.#rules, active]
    return active
  }

  list(): FaultHandle[] {
    return [...this.#rules]
  }

  close(): void {
    this.#closed.abort()
  }

  reset(): void {
    for (const rule of this.#rules) rule.remove()
    this.#rules = []
    this.#added = 0
  }

  plan(request: Request, transport: string): FaultPlan | undefined {
    // The common case, no rules, costs one comparison.
    if (this.#rules.length === 0) return undefined
    const facts = new MatchFacts(request, transport, this.#options.describe)
    const rule = this.#rules.find((candidate) => candidate.fires(facts))
    if (!rule) return undefined
    const checked = rule.checked
    return {
      name: rule.name,
      answer: (faulted, registry) =>
        answerFaulted(checked, { transport, stop: AbortSignal.any([faulted.signal, this.#closed.signal]) }, registry),
      note: (facts) => {
        facts.fault = checked.name
        // The registry's own error, when it answered first, is not what the client got.
        if (checked.replacement || checked.reset) facts.error = checked.replacement?.error
      },
      // Over a socket a truncated body ends cleanly; the transport then breaks the connection.
      deliver: (response) => {
        const breaks = transport === 'http' && checked.truncateAfterBytes !== undefined && response.body !== null
        return breaks ? markCloseAfterBody(response) : response
      },
    }
  }
}

// What rules match on, each worked out once per request and only when a rule asks.
class MatchFacts {
  readonly method: string
  readonly transport: string
  #request: Request
  #describe: (pathname: string) => RequestTarget
  #path: string | undefined
  #target: RequestTarget | undefined

  constructor(request: Request, transport: string, describe: (pathname: string) => RequestTarget) {
    this.method = request.method.toUpperCase()
    this.transport = transport
    this.#request = request
    this.#describe = describe
  }

  get path(): string {
    this.#path ??= new URL(this.#request.url).pathname
    return this.#path
  }

  get target(): RequestTarget {
    this.#target ??= this.#describe(this.path)
    return this.#target
  }
}

class ActiveRule implements FaultHandle {
  readonly checked: CheckedRule
  #calls = 0
  #matched = 0
  #removed = false
  #random: (() => number) | undefined
  #onRemove: (rule: ActiveRule) => void

  constructor(rule: CheckedRule, onRemove: (rule: ActiveRule) => void) {
    this.checked = rule
    this.#onRemove = onRemove
    if (rule.probability !== undefined) this.#random = seededRandom(rule.seed)
  }

  get name(): string {
    return this.checked.name
  }

  get calls(): number {
    return this.#calls
  }

  get matched(): number {
    return this.#matched
  }

  remove(): void {
    if (this.#removed) return
    this.#removed = true
    this.#onRemove(this)
  }

  /** Whether the rule faults this request; counts it when its fields match. */
  fires(facts: MatchFacts): boolean {
    if (this.#removed || !this.#matches(facts)) return false
    this.#matched++
    const { nth, times } = this.checked
    if (nth !== undefined && this.#matched !== nth) return false
    if (times !== undefined && this.#calls >= times) return false
    // Drawn for every matching request still in play, so the sequence depends on the seed and
    // the matching requests only, not on which of them another field let through.
    if (this.#random && this.#random() >= (this.checked.probability as number)) return false
    this.#calls++
    return true
  }

  #matches(facts: MatchFacts): boolean {
    const { methods, transports, path, kinds, repository } = this.checked
    if (methods && !methods.has(facts.method)) return false
    if (transports && !transports.has(facts.transport as FaultTransport)) return false
    if (path !== undefined && !matchText(facts.path, path)) return false
    if (kinds) {
      const kind = facts.target.kind
      if (kind === undefined || !kinds.has(kind)) return false
    }
    if (repository !== undefined) {
      const name = facts.target.repository
      if (name === undefined || !matchText(name, repository)) return false
    }
    return true
  }
}

function matchText(actual: string, expected: string | RegExp): boolean {
  if (typeof expected === 'string') return actual === expected
  // A global or sticky RegExp remembers where it stopped; every request starts afresh.
  expected.lastIndex = 0
  return expected.test(actual)
}
