"""Evidence for fact-checking: passages of source documents, a local corpus, and the
model-free checks (quotations word by word; numbers, dates and names) run against them.

Nothing here calls a model: these are the parts of issue #15 that work with no key and no
network, and that the model path reuses (retrieval, finding an evidence quote again).
"""
