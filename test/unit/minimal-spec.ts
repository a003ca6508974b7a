/** The smallest valid environment spec: one public app on Docker, dev tier. Tests build on it. */
export const minimalSpec = () => ({
  runtime: "docker",
  tier: "dev",
  services: {
    api: {
      image: "acme/api:1.0.0",
      ports: [{ name: "http", port: 8080, public: true }],
      healthCheck: { path: "/health" },
    },
  },
});
