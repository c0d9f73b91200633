// Doctor's prescription list (prescriptions/doctor_list.html).
HHRx.initDoctorList();
