#!/usr/bin/env python3
"""Sorts `perf script -F comm,tid,period,ip,sym` samples (demangled) of `herald work` into delivery
stages and prints stage -> share of CPU and µs per delivery, as a Markdown table.

Each sample goes to the innermost frame of its call stack that names a stage; a sample with no such
frame goes to "other" (named by its leaf frame in --verbose). Used by scripts/profile-delivery.
"""
import argparse
import collections
import re
import sys

# (stage, pattern), tried on every frame from the leaf outwards; the first frame any pattern matches decides.
STAGES = [
    ("socket writes (NIO + kernel)", r"writeToSocket|Socket\.write|flushNow|__GI___libc_write|writev"),
    ("socket reads (NIO + kernel)", r"readFromSocket|Socket\.read|__GI___libc_read"),
    ("event loop: epoll wait and wake-ups", r"epoll_wait|Selector\.whenReady|eventfd|EpollSelector|\bwakeup\b"),
    ("HTTP client: response decode", r"HTTPResponseDecoder|ByteToMessageHandler|llhttp|HTTPDecoder|NIOHTTPResponseHeadersValidator"),
    ("HTTP client: request encode", r"HTTPRequestEncoder|HTTPHeaders\.write|writeHTTPHeaders|HTTPRequestHead"),
    ("HTTP client: pool checkout", r"HTTPConnectionPool|KeepAlivePool\.checkout|KeepAlivePool\.checkin"),
    ("HTTP client: connection handler and request state", r"HTTPExchangeHandler|HTTP1ClientChannelHandler|HTTP1ConnectionStateMachine|HTTPRequestStateMachine|HTTP1Connection"),
    ("SMTP: message (MIME, headers, dot-stuffing)", r"MIME\.|MailMessage|SMTPEnvelopeBuilder|Mailbox"),
    ("SMTP: session (state machine, commands, replies)", r"SMTPConnectionStateMachine|SMTPReplyDecoder|SMTPReply|SMTPCommand"),
    ("SMTP: connection handler and pool", r"SMTPClientHandler|SMTPConnectionPool|SMTPPoolStateMachine|SMTPConnection|SMTPChannel|SMTPOutcome"),
    ("NIO channel pipeline (handler to handler)", r"ChannelPipeline|ChannelHandlerContext"),
    ("HTTP client: async bridging (send, await the answer)", r"KeepAlivePool|HTTPOutcome\.send|EventLoopFuture.*\.get\(\)|AsyncHTTPClient|HTTPClient\.execute|RequestBag|HTTPClientRequest|HTTPClientResponse"),
    ("webhook body (JSON)", r"WebhookPayload|TemplateValue\.appendJSON|jsonText"),
    ("webhook signature (HMAC)", r"WebhookSignature|HMAC|SHA256|base64Encoded"),
    ("webhook request (URL, headers)", r"WebhookChannel|HTTPPost|HTTPEndpoint|HTTPDestination|DestinationGuard|HTTPHeaders"),
    ("render (stencil fill)", r"RenderStencil|TemplateRenderer|RenderContext|Mustache"),
    ("notice lookup", r"NoticeCache|BoundedCache|notice\(id:"),
    ("store: claim", r"claim\(owner:|\+Claim|ClaimStatement"),
    ("store: record results", r"\.record\(_:owner:now:\)|recordResults|RecordStatement|\+Record"),
    ("store: lease renewal", r"renewLeases"),
    ("store: other (commits, checkpoints, circuits)", r"SQLite|GroupCommit|WriterPull|sqlite3|Database\.|DatabaseWriter|DatabasePool"),
    ("breakers and circuit sync", r"ChannelHealth|CircuitBreaker|CircuitAdmission|syncCircuits"),
    ("telemetry (logs, metrics, spans)", r"DeliveryTelemetry|HeraldMetrics|HeraldTracer|Logger|Logging\.|Tracing\.|Span"),
    ("limiter and pacer", r"ConcurrencyLimiter|ChannelPacer"),
    ("decisions (route, retry, result)", r"DeliveryDecisions|RoutePlanner|RetryPolicy|DeliveryResult"),
    ("pipeline (the rest of process)", r"DeliveryPipeline"),
    ("worker loop (task group, claim batches)", r"DeliveryWorker|TaskGroup|taskGroup"),
    ("task scheduling and actor hops (Swift runtime)", r"swift_job_run|swift_task_|swift_continuation|ProcessOutOfLineJob|EventLoopJobs|runJobInEstablishedExecutor|swift::Job|DefaultActor|swift_defaultActor"),
    ("event loop: scheduling", r"SelectableEventLoop|EventLoopFuture|EventLoopPromise|ScheduledTask"),
]
# Stages that only count when no frame further out names a more specific one: the SQLite engine
# runs inside a claim or a record, the Swift runtime and the event loop inside almost everything.
FALLBACKS = {"store: other (commits, checkpoints, circuits)", "task scheduling and actor hops (Swift runtime)", "event loop: scheduling"}
COMPILED = [(stage, re.compile(pattern)) for stage, pattern in STAGES]


def samples(stream):
    """Yields (period, frames leaf first) per sample."""
    period, frames = None, []
    for line in stream:
        if not line.strip():
            if period is not None:
                yield period, frames
            period, frames = None, []
        elif not line[0].isspace():
            fields = line.split()
            period = int(fields[-1]) if fields[-1].isdigit() else 1
        else:
            parts = line.strip().split(" ", 1)
            frames.append(parts[1] if len(parts) > 1 else parts[0])
    if period is not None:
        yield period, frames


def stage_of(frames):
    fallback = None
    for frame in frames:
        for stage, pattern in COMPILED:
            if pattern.search(frame):
                if stage not in FALLBACKS:
                    return stage
                fallback = fallback or stage
                break
    return fallback or "other"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, required=True)
    parser.add_argument("--cpu-seconds", type=float, required=True, help="the worker's user+sys CPU, spread over the stages by sample share")
    parser.add_argument("--verbose", action="store_true", help="also list the leaf frames of 'other'")
    options = parser.parse_args()
    totals = collections.Counter()
    others = collections.Counter()
    for period, frames in samples(sys.stdin):
        stage = stage_of(frames)
        totals[stage] += period
        if stage == "other" and frames:
            others[frames[0]] += period
    whole = sum(totals.values()) or 1
    per_delivery = options.cpu_seconds * 1e6 / options.deliveries
    print(f"\n| stage | share of CPU | µs per delivery |\n|---|---:|---:|")
    for stage, period in totals.most_common():
        print(f"| {stage} | {100 * period / whole:.1f} % | {per_delivery * period / whole:.1f} |")
    print(f"| **all** | 100 % | **{per_delivery:.1f}** |")
    if options.verbose:
        print("\nother, by leaf frame:")
        for frame, period in others.most_common(25):
            print(f"  {100 * period / whole:5.1f} %  {frame[:140]}")


if __name__ == "__main__":
    main()
