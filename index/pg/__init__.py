"""The shared store of a class: one PostgreSQL database with pgvector (``--database URL``).

``connect`` opens connections from a URL and shows it without its password; ``schema`` creates the
tables; ``write`` stores a whole index generation in one transaction and switches to it; ``read``
loads the live generation as a ``LoadedIndex`` whose dense and lexical halves query the database.
"""
