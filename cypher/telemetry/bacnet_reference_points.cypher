// Live points whose BACnet reference (a Brick ref:BACnetReference, kept by the importer as
// bacnet_* properties) names device $device: what a bacnet source with bind_references binds
// without a binding each. The caller reads the object from the properties returned.
MATCH (p:Point)
WHERE coalesce(p.bacnet_device_instance, p.bacnet_device) IN [$device, toString($device)]
  AND NOT p:Retired
RETURN p.twin_id AS twin_id, p.bacnet_device_instance AS bacnet_device_instance,
       p.bacnet_device AS bacnet_device, p.bacnet_object_identifier AS bacnet_object_identifier,
       p.bacnet_object_type AS bacnet_object_type,
       p.bacnet_object_instance AS bacnet_object_instance
ORDER BY p.twin_id
