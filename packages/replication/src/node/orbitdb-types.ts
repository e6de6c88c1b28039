// @orbitdb/core ships JavaScript only; @wesh/groups keeps the declarations of the part Wesh uses.
/// <reference types="@wesh/groups/orbitdb" />
export {}
