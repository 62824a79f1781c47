// Whether a twin node with $twin_id exists.
RETURN EXISTS { MATCH (:Twin {twin_id: $twin_id}) } AS found
