/* global VApp, VHw, VDef: writable */ // eslint-disable-line no-unused-vars
// Puck.js v2 with a LoRa modem on Serial1: frames go over LoRa P2P only; BLE does not advertise and
// is kept for beacon scans. One press with nothing waiting shows the mode.
NRF.sleep();
VApp.button(BTN, function () {
  VHw.fx(VApp.st.p ? 8 : 9);
});
VApp.start();
VApp.start = VApp.button = VDef = undefined; // run once: free their text
