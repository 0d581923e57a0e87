"""tfplugin6 message classes, from the `tf` package's descriptor plus what Terraform 1.11 added.

`tf.gen.tfplugin_pb2` predates write-only attributes: its ``Schema.Attribute`` lacks
``write_only`` (field 11) and requests lack ``ClientCapabilities``. Rather than commit generated
stubs, the descriptor is copied, the missing parts added, and the copy loaded into a private
descriptor pool; the message classes below come from that pool (same ``tfplugin6.*`` names, so
the bytes on the wire are what Terraform expects).
"""

from __future__ import annotations

from types import SimpleNamespace

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

_BOOL = descriptor_pb2.FieldDescriptorProto.TYPE_BOOL
_MESSAGE = descriptor_pb2.FieldDescriptorProto.TYPE_MESSAGE

# What tfplugin6.9 (Terraform 1.11) has and tf.gen's copy lacks: new (empty) top-level messages,
# then fields as (message path, field name, number, type, message type name).
_ADDED_MESSAGES = ("ClientCapabilities",)
_ADDED_FIELDS = (
    (("ClientCapabilities",), "deferral_allowed", 1, _BOOL, ""),
    (("ClientCapabilities",), "write_only_attributes_allowed", 2, _BOOL, ""),
    (("Schema", "Attribute"), "write_only", 11, _BOOL, ""),
    (("ValidateResourceConfig", "Request"), "client_capabilities", 3, _MESSAGE, ".tfplugin6.ClientCapabilities"),
)


def _json_name(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w.capitalize() for w in rest)


def _descriptor() -> descriptor_pb2.FileDescriptorProto:
    from tf.gen import tfplugin_pb2

    fdp = descriptor_pb2.FileDescriptorProto.FromString(tfplugin_pb2.DESCRIPTOR.serialized_pb)
    fdp.name = "avdgen/offline/tfplugin6.proto"  # distinct from the copy in the default pool
    for name in _ADDED_MESSAGES:
        if not any(m.name == name for m in fdp.message_type):
            fdp.message_type.add(name=name)
    for path, name, number, kind, type_name in _ADDED_FIELDS:
        messages = fdp.message_type
        for part in path:
            msg = next(m for m in messages if m.name == part)
            messages = msg.nested_type
        if not any(f.number == number for f in msg.field):
            field = msg.field.add(name=name, number=number, type=kind, json_name=_json_name(name))
            field.label = descriptor_pb2.FieldDescriptorProto.LABEL_OPTIONAL
            if type_name:
                field.type_name = type_name
    return fdp


def _messages() -> SimpleNamespace:
    fdp = _descriptor()
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    classes = message_factory.GetMessages([fdp], pool=pool)
    return SimpleNamespace(**{name.rsplit(".", 1)[1]: cls for name, cls in classes.items()})


# `pb.Schema`, `pb.PlanResourceChange.Request`, `pb.Diagnostic.ERROR`, ...
pb = _messages()
