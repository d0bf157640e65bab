// The sinks live in HeraldSinks (`herald demo` uses them too); tests get them with the rest of the support.
@_exported import HeraldSinks
