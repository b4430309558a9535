"""copydesk-anonymous-sources: a copydesk plugin that flags claims resting on anonymous or
vague sourcing ("sources said", "officials said", "according to reports", unnamed
experts).

The plugin module copydesk loads (from the ``copydesk`` entry point group) is
:mod:`copydesk_anonymous_sources.plugin`; the deterministic pass is in
:mod:`copydesk_anonymous_sources.patterns`.
"""

__version__ = "0.1.0"
