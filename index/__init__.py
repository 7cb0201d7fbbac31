"""The slide index: core records, embedders, the dense and lexical stores and the on-disk format.

Nothing here knows about PDFs or the question bank's markdown.
"""
