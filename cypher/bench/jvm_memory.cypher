// Scale benchmark: the Neo4j JVM's heap, from its own JMX bean (java.lang:type=Memory):
// HeapMemoryUsage and NonHeapMemoryUsage, each {init, used, committed, max} in bytes.
CALL dbms.queryJmx('java.lang:type=Memory') YIELD attributes
RETURN attributes.HeapMemoryUsage.value.properties AS heap,
       attributes.NonHeapMemoryUsage.value.properties AS non_heap
