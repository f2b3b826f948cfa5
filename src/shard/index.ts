export * from "./bucket";
export * from "./map";
export * from "./plan";
export * from "./stub";
