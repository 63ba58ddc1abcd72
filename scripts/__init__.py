"""Shell tools: ``neo4j-local`` (a local Neo4j 5.26 from Maven Central) and ``test``; installed as package
data so that ``livetrust demo`` can start the local Neo4j from an installed package too."""
