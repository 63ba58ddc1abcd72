"""livetrust: a graph model of consumer-seller trust for live-stream commerce.

Data flows loaders -> Neo4j -> graph projection -> trust / paths /
recommendations -> exports. Sub-packages:

- ``livetrust.loaders``   read, validate and load a contract folder into Neo4j
- ``livetrust.graph``     the graph projection and the algorithms on it
- ``livetrust.queries``   the Cypher library (``.cypher`` files) and its runner
- ``livetrust.world``     the seeded live-commerce simulator (``livetrust generate``)
"""

__version__ = "0.1.0"
