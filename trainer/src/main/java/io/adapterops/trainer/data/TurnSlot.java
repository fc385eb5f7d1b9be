package io.adapterops.trainer.data;

/**
 * A turn as read from a row, with the paths of its role and content fields for error messages.
 * {@code role} is null when the row named a role we do not know (already reported).
 */
record TurnSlot(String roleField, String contentField, String roleName, Role role, String content) {
}
