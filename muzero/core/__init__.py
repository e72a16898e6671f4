"""The bottom layer: the records that flow between the parts (types), configs, errors, symmetries and the
GameKit a game is handed in as. Imports nothing else of the project."""
