/// The OpenAPI 3.1 document served at `/openapi.yaml`. Generated from `openapi.yaml` beside this
/// file by `scripts/generate-openapi`; a test checks that every route is in it.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: Herald
  version: "1"
  description: >
    Queue apology and status notices and follow their delivery. Every endpoint but /healthz, /readyz,
    /metrics, /openapi.yaml, the public status page (/status…) and the public consent endpoints
    (/u/{token}, /inbound/twilio, /status/subscribe…: their signatures are the authority, and they
    are limited to 30 requests a minute per client address)
    needs `Authorization: Bearer <token>` with the scope listed. Errors are
    RFC 9457 problem+json naming the bad field. JSON bodies are limited to 1 MiB (413 beyond). POSTs
    accept `Idempotency-Key`.
servers:
  - url: http://127.0.0.1:8080
security:
  - bearer: []
paths:
  /v1/messages:
    post:
      summary: Queue one message (scope send)
      operationId: sendMessage
      parameters: [{ $ref: "#/components/parameters/IdempotencyKey" }]
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/SendRequest" }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "202": { description: Queued durably, content: { application/json: { schema: { $ref: "#/components/schemas/MessageAccepted" } } } }
        "400": { $ref: "#/components/responses/Problem" }
        "401": { $ref: "#/components/responses/Problem" }
        "403": { $ref: "#/components/responses/Problem" }
        "413": { $ref: "#/components/responses/Problem" }
        "422": { $ref: "#/components/responses/Problem" }
  /v1/messages/{id}:
    get:
      summary: A message with its attempts (scope read)
      operationId: getMessage
      parameters: [{ $ref: "#/components/parameters/Id" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: The message, content: { application/json: { schema: { $ref: "#/components/schemas/Message" } } } }
        "404": { $ref: "#/components/responses/Problem" }
  /v1/messages/{id}/retry:
    post:
      summary: Queue a failed, expired, cancelled or suppressed message again (scope send)
      operationId: retryMessage
      parameters: [{ $ref: "#/components/parameters/Id" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "202": { description: Queued again, content: { application/json: { schema: { $ref: "#/components/schemas/MessageAccepted" } } } }
        "404": { $ref: "#/components/responses/Problem" }
        "409": { $ref: "#/components/responses/Problem" }
  /v1/messages/{id}/cancel:
    post:
      summary: Cancel a message that has not gone out, or whose worker died holding it (scope send)
      operationId: cancelMessage
      parameters: [{ $ref: "#/components/parameters/Id" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: Cancelled, content: { application/json: { schema: { $ref: "#/components/schemas/MessageAccepted" } } } }
        "404": { $ref: "#/components/responses/Problem" }
        "409": { $ref: "#/components/responses/Problem" }
  /v1/broadcasts:
    post:
      summary: Queue one message per recipient of an audience, or report a dry run (scope send)
      operationId: createBroadcast
      parameters: [{ $ref: "#/components/parameters/IdempotencyKey" }]
      requestBody:
        required: true
        content:
          application/json:
            schema: { $ref: "#/components/schemas/BroadcastRequest" }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "202": { description: "Queued durably, whole", content: { application/json: { schema: { $ref: "#/components/schemas/BroadcastAccepted" } } } }
        "200": { description: Dry run report; nothing queued, content: { application/json: { schema: { $ref: "#/components/schemas/DryRun" } } } }
        "400": { $ref: "#/components/responses/Problem" }
        "413": { $ref: "#/components/responses/Problem" }
        "422": { $ref: "#/components/responses/Problem" }
  /v1/broadcasts/{id}:
    get:
      summary: Message counts by state (scope read)
      operationId: getBroadcast
      parameters: [{ $ref: "#/components/parameters/Id" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: Counts, content: { application/json: { schema: { $ref: "#/components/schemas/Counts" } } } }
        "404": { $ref: "#/components/responses/Problem" }
  /v1/broadcasts/{id}/cancel:
    post:
      summary: Cancel queued and retrying messages; in-flight ones finish (scope send)
      operationId: cancelBroadcast
      parameters: [{ $ref: "#/components/parameters/Id" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: Cancelled, content: { application/json: { schema: { type: object, required: [id, cancelled], properties: { id: { type: string }, cancelled: { type: integer } } } } } }
        "404": { $ref: "#/components/responses/Problem" }
  /v1/channels:
    get:
      summary: Channels with circuit state and counts (scope read)
      operationId: listChannels
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200":
          description: Every configured channel
          content:
            application/json:
              schema: { type: array, items: { $ref: "#/components/schemas/Channel" } }
  /v1/recipients:
    put:
      summary: Bulk upsert by id, streamed; all or nothing (scope admin)
      operationId: upsertRecipients
      requestBody:
        required: true
        content:
          application/json:
            schema: { type: array, items: { $ref: "#/components/schemas/Recipient" } }
          application/x-ndjson:
            schema: { $ref: "#/components/schemas/Recipient" }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: Written, content: { application/json: { schema: { type: object, required: [upserted], properties: { upserted: { type: integer } } } } } }
        "400": { $ref: "#/components/responses/Problem" }
        "422": { $ref: "#/components/responses/Problem" }
    get:
      summary: Recipients by id, one page at a time (scope read)
      operationId: listRecipients
      parameters:
        - { name: segment, in: query, schema: { type: string } }
        - { name: after, in: query, description: the `next` of the previous page, schema: { type: string } }
        - { name: limit, in: query, schema: { type: integer, minimum: 1, maximum: 1000, default: 100 } }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200":
          description: A page
          content:
            application/json:
              schema:
                type: object
                required: [recipients]
                properties:
                  recipients: { type: array, items: { $ref: "#/components/schemas/Recipient" } }
                  next: { type: string }
  /v1/incidents:
    post:
      summary: Open an incident, optionally notifying its audience (scope send)
      operationId: openIncident
      parameters: [{ $ref: "#/components/parameters/IdempotencyKey" }]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              required: [title, services]
              properties:
                title: { type: string }
                services: { $ref: "#/components/schemas/ServiceStatuses" }
                segment: { type: string, description: who notices go to (default every stored recipient) }
                note: { type: string }
                notify: { $ref: "#/components/schemas/Notify" }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "201": { description: Opened, content: { application/json: { schema: { $ref: "#/components/schemas/IncidentChange" } } } }
        "422": { $ref: "#/components/responses/Problem" }
    get:
      summary: Incidents, newest first (scope read)
      operationId: listIncidents
      parameters:
        - { name: state, in: query, schema: { type: string, enum: [open] } }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: Incidents, content: { application/json: { schema: { type: array, items: { $ref: "#/components/schemas/Incident" } } } } }
  /v1/incidents/{id}:
    get:
      summary: One incident with its timeline (scope read)
      operationId: getIncident
      parameters: [{ $ref: "#/components/parameters/Id" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: The incident, content: { application/json: { schema: { $ref: "#/components/schemas/Incident" } } } }
        "404": { $ref: "#/components/responses/Problem" }
    patch:
      summary: Change statuses, add a note, or resolve; optionally notify (scope send)
      operationId: updateIncident
      parameters: [{ $ref: "#/components/parameters/Id" }]
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                services: { $ref: "#/components/schemas/ServiceStatuses" }
                note: { type: string }
                resolve: { type: boolean }
                notify: { $ref: "#/components/schemas/Notify" }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: Changed, content: { application/json: { schema: { $ref: "#/components/schemas/IncidentChange" } } } }
        "404": { $ref: "#/components/responses/Problem" }
        "409": { $ref: "#/components/responses/Problem" }
        "422": { $ref: "#/components/responses/Problem" }
  /v1/suppressions:
    get:
      summary: The suppression list, a page of contact points at a time (scope read)
      operationId: listSuppressions
      parameters:
        - { name: after, in: query, description: the `next` of the previous page, schema: { type: string } }
        - { name: limit, in: query, description: contact points per page, schema: { type: integer, minimum: 1, maximum: 1000, default: 100 } }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200":
          description: A page
          content:
            application/json:
              schema:
                type: object
                required: [suppressions]
                properties:
                  suppressions: { type: array, items: { $ref: "#/components/schemas/Suppression" } }
                  next: { type: string }
    post:
      summary: Suppress one contact point or up to 10,000; all or none (scope send)
      operationId: addSuppressions
      requestBody:
        required: true
        content:
          application/json:
            schema:
              oneOf:
                - $ref: "#/components/schemas/SuppressionRequest"
                - { type: array, minItems: 1, maxItems: 10000, items: { $ref: "#/components/schemas/SuppressionRequest" } }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200":
          description: Added; `added` counts those not listed before for that reason
          content:
            application/json:
              schema: { type: object, required: [added, total], properties: { added: { type: integer }, total: { type: integer } } }
        "400": { $ref: "#/components/responses/Problem" }
        "422": { $ref: "#/components/responses/Problem" }
  /v1/suppressions/{contact}:
    delete:
      summary: Lift every suppression of a contact point (scope admin)
      operationId: removeSuppression
      parameters: [{ name: contact, in: path, required: true, description: "an e-mail address, a phone number or a webhook URL, percent-encoded", schema: { type: string } }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200":
          description: Lifted
          content:
            application/json:
              schema: { type: object, required: [contact, removed], properties: { contact: { type: string }, removed: { type: integer } } }
        "404": { $ref: "#/components/responses/Problem" }
        "422": { $ref: "#/components/responses/Problem" }
  /u/{token}:
    get:
      summary: One-click unsubscribe confirm page (en/ko); changes nothing
      operationId: unsubscribePage
      security: []
      parameters: [{ $ref: "#/components/parameters/Token" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "200": { description: "The page, with a button that POSTs back", content: { text/html: { schema: { type: string } } } }
        "404": { $ref: "#/components/responses/Problem" }
        "429": { $ref: "#/components/responses/Problem" }
    post:
      summary: One-click unsubscribe (RFC 8058); the token's signature is the authority
      operationId: unsubscribe
      security: []
      parameters: [{ $ref: "#/components/parameters/Token" }]
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: { type: object, properties: { List-Unsubscribe: { type: string, const: One-Click } } }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: Unsubscribed, content: { text/html: { schema: { type: string } } } }
        "404": { $ref: "#/components/responses/Problem" }
        "429": { $ref: "#/components/responses/Problem" }
  /inbound/twilio:
    post:
      summary: "An SMS to a Twilio number: STOP, UNSUBSCRIBE or 수신거부 suppress the sender; START or 수신동의 lift it"
      operationId: inboundTwilio
      security: []
      parameters:
        - { name: X-Twilio-Signature, in: header, required: true, description: "base64 HMAC-SHA1 of http.public_url + path and the sorted form fields, keyed with the auth token", schema: { type: string } }
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema: { type: object, properties: { From: { type: string }, Body: { type: string } } }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: "Empty TwiML", content: { text/xml: { schema: { type: string } } } }
        "403": { $ref: "#/components/responses/Problem" }
        "404": { $ref: "#/components/responses/Problem" }
        "429": { $ref: "#/components/responses/Problem" }
  /status:
    get:
      summary: "The public status page (HTML, en or ko from ?lang= or Accept-Language); 404 without status_page:"
      operationId: statusPage
      security: []
      parameters: [{ $ref: "#/components/parameters/Lang" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "200": { description: "The page, with Cache-Control and ETag", content: { text/html: { schema: { type: string } } } }
        "304": { description: "Not modified (If-None-Match)" }
        "404": { $ref: "#/components/responses/Problem" }
  /status/incidents/{id}:
    get:
      summary: One incident's timeline on the public status page
      operationId: statusPageIncident
      security: []
      parameters: [{ $ref: "#/components/parameters/Id" }, { $ref: "#/components/parameters/Lang" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "200": { description: The timeline, content: { text/html: { schema: { type: string } } } }
        "304": { description: "Not modified (If-None-Match)" }
        "404": { $ref: "#/components/responses/Problem" }
  /status.json:
    get:
      summary: The public status page as JSON
      operationId: statusPageJSON
      security: []
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "200": { description: The board, content: { application/json: { schema: { $ref: "#/components/schemas/StatusBoard" } } } }
        "304": { description: "Not modified (If-None-Match)" }
        "404": { $ref: "#/components/responses/Problem" }
  /status/feed.atom:
    get:
      summary: "The public status page as an Atom feed (RFC 4287): one entry per step of every incident's timeline"
      operationId: statusPageFeed
      security: []
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "200": { description: The feed, content: { application/atom+xml: { schema: { type: string } } } }
        "304": { description: "Not modified (If-None-Match)" }
        "404": { $ref: "#/components/responses/Problem" }
  /status/subscribe:
    post:
      summary: "The status page's subscription form: queues a confirmation e-mail (double opt-in); 404 without status_page.segment"
      description: >
        The answer is the same whether a mail went out or not: an address gets at most 3 confirmations
        an hour, whoever asks, and a client address may send the form 5 times per 10 minutes (429).
      operationId: subscribe
      security: []
      requestBody:
        required: true
        content:
          application/x-www-form-urlencoded:
            schema:
              type: object
              required: [email]
              properties: { email: { type: string, format: email }, lang: { type: string, enum: [en, ko] } }
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: "Check your inbox", content: { text/html: { schema: { type: string } } } }
        "404": { $ref: "#/components/responses/Problem" }
        "422": { $ref: "#/components/responses/Problem" }
        "429": { $ref: "#/components/responses/Problem" }
  /status/subscribe/{token}:
    get:
      summary: The confirmation link's page (en/ko); changes nothing
      operationId: subscriptionConfirmPage
      security: []
      parameters: [{ $ref: "#/components/parameters/Token" }, { $ref: "#/components/parameters/Lang" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "200": { description: "The page, with a button that POSTs back", content: { text/html: { schema: { type: string } } } }
        "404": { $ref: "#/components/responses/Problem" }
        "410": { description: "The link is older than 48 hours", content: { text/html: { schema: { type: string } } } }
        "429": { $ref: "#/components/responses/Problem" }
    post:
      summary: "Confirms a subscription: the address joins status_page.segment; the token's signature is the authority"
      operationId: confirmSubscription
      security: []
      parameters: [{ $ref: "#/components/parameters/Token" }, { $ref: "#/components/parameters/Lang" }]
      responses:
        "4XX": { $ref: "#/components/responses/Problem" }
        "503": { $ref: "#/components/responses/Problem" }
        "200": { description: Subscribed, content: { text/html: { schema: { type: string } } } }
        "404": { $ref: "#/components/responses/Problem" }
        "410": { description: "The link is older than 48 hours", content: { text/html: { schema: { type: string } } } }
        "429": { $ref: "#/components/responses/Problem" }
  /healthz:
    get:
      summary: The process is up
      operationId: health
      security: []
      responses: { "200": { description: Up } }
  /readyz:
    get:
      summary: A probe write to the store commits within 2 s and the workers run
      operationId: ready
      security: []
      responses:
        "200": { description: Ready }
        "503": { $ref: "#/components/responses/Problem" }
  /metrics:
    get:
      summary: Prometheus text format
      operationId: metrics
      security: []
      responses: { "200": { description: Metrics, content: { text/plain: { schema: { type: string } } } } }
  /openapi.yaml:
    get:
      summary: This document
      operationId: openapi
      security: []
      responses: { "200": { description: The OpenAPI document, content: { application/yaml: { schema: { type: string } } } } }
components:
  securitySchemes:
    bearer: { type: http, scheme: bearer }
  parameters:
    Id: { name: id, in: path, required: true, schema: { type: string } }
    Token: { name: token, in: path, required: true, description: the signed token of an unsubscribe link, schema: { type: string } }
    Lang: { name: lang, in: query, description: "en or ko; otherwise Accept-Language decides", schema: { type: string } }
    IdempotencyKey:
      name: Idempotency-Key
      in: header
      description: The same key and body within 24 h returns the first response and queues nothing more; another body is 422.
      schema: { type: string, maxLength: 255 }
  responses:
    Problem:
      description: RFC 9457 problem details
      content:
        application/problem+json:
          schema: { $ref: "#/components/schemas/Problem" }
  schemas:
    ServiceStatuses:
      type: object
      description: service name → status
      additionalProperties: { type: string, enum: [outage, degraded, recovering, restored] }
    Notify:
      type: object
      required: [template]
      properties:
        template: { type: string }
        vars: { type: object, additionalProperties: true }
        priority: { type: string, enum: [low, normal, high, critical] }
    IncidentChange:
      type: object
      required: [incident]
      properties:
        incident: { $ref: "#/components/schemas/Incident" }
        broadcast_id: { type: string }
    Incident:
      type: object
      required: [id, title, state, services, updates, opened_at]
      properties:
        id: { type: string }
        title: { type: string }
        state: { type: string, enum: [open, resolved] }
        segment: { type: string }
        services:
          type: array
          items: { type: object, required: [name, status], properties: { name: { type: string }, status: { type: string } } }
        updates:
          type: array
          items:
            type: object
            required: [at, changes]
            properties:
              at: { type: string, format: date-time }
              note: { type: string }
              broadcast_id: { type: string }
              changes: { type: array, items: { type: object, properties: { name: { type: string }, status: { type: string } } } }
        opened_at: { type: string, format: date-time }
        resolved_at: { type: string, format: date-time }
    Problem:
      type: object
      required: [type, title, status, detail]
      properties:
        type: { type: string }
        title: { type: string }
        status: { type: integer }
        detail: { type: string }
        errors:
          type: array
          items:
            type: object
            required: [pointer, detail]
            properties: { pointer: { type: string }, detail: { type: string } }
    NoticeFields:
      type: object
      required: [template]
      properties:
        template: { type: string }
        vars: { type: object, additionalProperties: true }
        locale: { type: string }
        route: { oneOf: [{ type: string }, { type: array, items: { type: string } }] }
        priority: { type: string, enum: [low, normal, high, critical] }
        collapse_key: { type: string }
        expires_in: { type: string, examples: ["6h"] }
        incident_id: { type: string }
    SendRequest:
      allOf:
        - $ref: "#/components/schemas/NoticeFields"
        - type: object
          required: [to]
          properties:
            to:
              type: object
              additionalProperties: false
              properties:
                email: { type: string, maxLength: 256 }
                phone: { type: string, maxLength: 256 }
                webhook: { type: string, maxLength: 2048, description: "http(s) with a port in 1-65535; internal addresses are refused unless egress.allow opens them" }
            recipient_id: { type: string }
            name: { type: string }
    BroadcastRequest:
      allOf:
        - $ref: "#/components/schemas/NoticeFields"
        - type: object
          required: [audience]
          properties:
            audience:
              type: object
              additionalProperties: false
              description: exactly one of segment, all or recipients
              properties:
                segment: { type: string }
                all: { type: boolean }
                recipients: { type: array, items: { $ref: "#/components/schemas/Recipient" } }
            dry_run: { type: boolean }
    Recipient:
      type: object
      additionalProperties: false
      required: [id]
      properties:
        id: { type: string }
        name: { type: string }
        locale: { type: string }
        email: { type: string }
        phone: { type: string }
        webhook: { type: string }
        segments: { oneOf: [{ type: array, items: { type: string } }, { type: string }] }
    MessageAccepted:
      type: object
      required: [id, state]
      properties: { id: { type: string }, state: { type: string, description: "queued, or suppressed when the suppression list rules the recipient out" } }
    BroadcastAccepted:
      type: object
      required: [id, total, suppressed]
      properties: { id: { type: string }, total: { type: integer }, suppressed: { type: integer, description: queued already suppressed } }
    DryRun:
      type: object
      required: [dry_run, total, by_locale, by_channel, overlong_sms, suppressed, held_back]
      properties:
        dry_run: { type: boolean }
        total: { type: integer }
        by_locale: { type: object, additionalProperties: { type: integer } }
        by_channel: { type: object, additionalProperties: { type: integer } }
        overlong_sms: { type: integer }
        suppressed: { type: integer, description: recipients the suppression list rules out }
        held_back: { type: object, description: "channel → why routes pass it over now (depends on Messenger (outage))", additionalProperties: { type: string } }
    SuppressionRequest:
      type: object
      additionalProperties: false
      required: [contact]
      properties:
        contact: { type: string, description: an e-mail address, a phone number or an http(s) webhook URL }
        reason: { type: string, enum: [unsubscribed, bounced, gone, invalid, complained, manual], default: manual }
        detail: { type: string }
    Suppression:
      type: object
      required: [contact, kind, reason, source, added_at]
      properties:
        contact: { type: string, description: "in its normal form: e-mail in lower case, phone in E.164" }
        kind: { type: string, enum: [email, phone, webhook] }
        reason: { type: string, enum: [unsubscribed, bounced, gone, invalid, complained, manual] }
        source: { type: string, description: "one-click, inbound-sms, cli, api, import, or the channel that learned it" }
        detail: { type: string }
        added_at: { type: string, format: date-time }
    Counts:
      type: object
      required: [total]
      properties:
        id: { type: string }
        total: { type: integer }
        queued: { type: integer }
        sending: { type: integer }
        retrying: { type: integer }
        delivered: { type: integer }
        failed: { type: integer }
        superseded: { type: integer }
        expired: { type: integer }
        cancelled: { type: integer }
        suppressed: { type: integer }
    Message:
      type: object
      required: [id, broadcast_id, recipient, state, attempts]
      properties:
        id: { type: string }
        broadcast_id: { type: string }
        recipient: { type: string }
        state: { type: string, enum: [queued, sending, retrying, delivered, failed, superseded, expired, cancelled, suppressed] }
        channel: { type: string }
        last_error: { type: string }
        next_attempt_at: { type: string, format: date-time }
        attempts:
          type: array
          items:
            type: object
            required: [at, channel, outcome]
            properties:
              at: { type: string, format: date-time }
              channel: { type: string }
              outcome: { type: string }
              error: { type: string }
    StatusRow:
      type: object
      required: [name, status]
      properties: { name: { type: string }, status: { type: string, description: "operational, outage, degraded, recovering or restored" } }
    StatusIncident:
      type: object
      required: [id, title, state, services, updates, opened_at]
      properties:
        id: { type: string }
        title: { type: string }
        state: { type: string, enum: [open, resolved] }
        services: { type: array, items: { $ref: "#/components/schemas/StatusRow" } }
        updates:
          type: array
          description: newest first
          items:
            type: object
            required: [at, changes]
            properties:
              at: { type: string, format: date-time }
              note: { type: string }
              changes: { type: array, items: { $ref: "#/components/schemas/StatusRow" } }
        opened_at: { type: string, format: date-time }
        resolved_at: { type: string, format: date-time }
    StatusBoard:
      type: object
      required: [title, services, open, resolved]
      properties:
        title: { type: string }
        services: { type: array, items: { $ref: "#/components/schemas/StatusRow" } }
        open: { type: array, items: { $ref: "#/components/schemas/StatusIncident" } }
        resolved: { type: array, description: resolved in the last 14 days, items: { $ref: "#/components/schemas/StatusIncident" } }
        updated_at: { type: string, format: date-time, description: the latest change shown }
    Channel:
      type: object
      required: [name, kind, circuit, delivered, failed, queued]
      properties:
        name: { type: string }
        kind: { type: string, enum: [smtp, webhook, sms, outbox] }
        circuit: { type: string, enum: [closed, open, half_open] }
        delivered: { type: integer }
        failed: { type: integer }
        queued: { type: integer, description: not final and last tried on this channel (retrying or in flight) }
        held_back: { type: string, description: "present while a service the channel depends on is impaired: depends on Messenger (outage)" }
        canary:
          type: object
          description: present when canaries has one for the channel
          required: [result, stale]
          properties:
            result: { type: string, enum: [delivered, failed, none] }
            detail: { type: string, description: the failure in plain words }
            at: { type: string, format: date-time }
            age_seconds: { type: integer }
            stale: { type: boolean, description: "no result yet, or older than three periods" }
"""#
}
