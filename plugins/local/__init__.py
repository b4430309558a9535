"""The embedded model, as a plugin: a catalogue of models on the package index
(``catalogue``), fetching and checking them (``fetch``, ``pull``), llama.cpp's server
in-process (``server``), and the ``local`` provider with ``copydesk models`` (``plugin``).

Core knows none of this: the provider says what it suits through its capabilities."""
