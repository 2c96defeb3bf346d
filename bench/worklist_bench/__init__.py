"""The worklist benchmark's parts (bench/worklist.py): sizes and targets, the world, the cases in SQL, the pages."""
