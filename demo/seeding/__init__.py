"""The parts of `demo.services.demo_seed`, one module per part of the demo world."""
