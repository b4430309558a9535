"""copydesk-wire-archive: a copydesk evidence source that searches an archive of wire
stories (a JSON Lines file), so that ``copydesk check`` verifies an article's claims
against what the wire said.

The plugin module copydesk loads is :mod:`copydesk_wire_archive.plugin`.
"""

__version__ = "0.1.0"
