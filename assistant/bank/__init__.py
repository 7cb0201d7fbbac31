"""The question bank: parsing the markdown file into questions and their slide references."""
