/* global VApp, VHw, VDef: writable */ // eslint-disable-line no-unused-vars
// Puck.js v2 badge over BLE. One press with nothing waiting shows the mode (green = protected, red = off).
VApp.button(BTN, function () {
  VHw.fx(VApp.st.p ? 8 : 9);
});
VApp.start();
VApp.start = VApp.button = VDef = undefined; // run once: free their text
