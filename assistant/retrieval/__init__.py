"""Retrieval: query normalisation, the signals over the index, their fusion, the query adapter, the reranker and the ``Retriever`` facade."""
