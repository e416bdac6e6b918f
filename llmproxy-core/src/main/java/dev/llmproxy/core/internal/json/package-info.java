/** JSON helpers and the JSON-rows file the file-backed stores share. Internal: not API. */
package dev.llmproxy.core.internal.json;
