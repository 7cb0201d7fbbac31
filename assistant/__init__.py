"""Question bank, retrieval, answers and the command-line tools that use them."""
